// Help texts, kept beside each other so the README's command reference can be checked against them.
export const MAIN_USAGE = `chaperone — a local, authenticated Kubernetes API gateway for AI coding agents

Usage:
  chaperone serve [--data-dir DIR] [--kubeconfig FILE] [--context NAME] [--listen HOST:PORT] [--allow-remote]
  chaperone agent add NAME [--profile PROFILE] [--out FILE] [--data-dir DIR]
  chaperone agent list [--data-dir DIR]
  chaperone agent revoke NAME [--data-dir DIR]
  chaperone --version

Run "chaperone COMMAND --help" for a command's details.
Data dir: --data-dir, else $CHAPERONE_HOME, else your per-user config folder.`;

export const SERVE_USAGE = `Usage: chaperone serve [--data-dir DIR] [--kubeconfig FILE] [--context NAME] [--listen HOST:PORT] [--allow-remote]

Runs the gateway agents connect to, forwarding to your cluster with your own credentials.
  --kubeconfig FILE   your kubeconfig (default: $KUBECONFIG, else ~/.kube/config)
  --context NAME      the context to forward to (default: the current context)
  --listen HOST:PORT  where agents connect (default: 127.0.0.1:16443, or what the data dir recorded;
                      port 0 picks a free port). Recorded in the data dir so agent kubeconfigs stay valid.
  --control-listen HOST:PORT  the control API for the UI and CLI (default 127.0.0.1:0)
  --allow-remote      allow a non-loopback --listen address
  --drain-timeout SEC on SIGINT/SIGTERM, how long in-flight requests may finish (default 10)`;

export const AGENT_USAGE = `Usage:
  chaperone agent add NAME [--profile PROFILE] [--out FILE] [--data-dir DIR]
      Registers an agent and writes its kubeconfig (0600): the gateway's address, its CA, and a
      token for this agent alone. Prints the path (default: DATA_DIR/kubeconfigs/NAME.kubeconfig).
      Profiles: read-only, guarded (default), strict.
  chaperone agent list [--data-dir DIR]
  chaperone agent revoke NAME [--data-dir DIR]
      Revokes the agent's tokens; a running gateway refuses them on the next request.`;
