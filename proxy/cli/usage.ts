// Help texts, kept beside each other so the README's command reference can be checked against them.
export const MAIN_USAGE = `chaperone — a local, authenticated Kubernetes API gateway for AI coding agents

Usage:
  chaperone serve [--data-dir DIR] [--kubeconfig FILE] [--context NAME] [--listen HOST:PORT] [--allow-remote]
  chaperone agent add NAME [--profile PROFILE] [--out FILE] [--data-dir DIR]
  chaperone agent list [--data-dir DIR]
  chaperone agent revoke NAME [--data-dir DIR]
  chaperone approvals list [--data-dir DIR]
  chaperone approvals approve ID [--for DURATION | --always] [--data-dir DIR]
  chaperone approvals deny ID [--reason TEXT] [--data-dir DIR]
  chaperone approvals watch [--data-dir DIR]
  chaperone policy check [FILE] [--data-dir DIR]
  chaperone policy explain --agent NAME [--data-dir DIR] -- VERB RESOURCE [NAME] [-n NAMESPACE]
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
  --drain-timeout SEC on SIGINT/SIGTERM, how long in-flight requests may finish (default 10)
  --approval-timeout DURATION  how long a request that asks waits for an approver (default 5m)`;

export const AGENT_USAGE = `Usage:
  chaperone agent add NAME [--profile PROFILE] [--out FILE] [--data-dir DIR]
      Registers an agent and writes its kubeconfig (0600): the gateway's address, its CA, and a
      token for this agent alone. Prints the path (default: DATA_DIR/kubeconfigs/NAME.kubeconfig).
      Profiles: read-only, guarded (default), strict.
  chaperone agent list [--data-dir DIR]
  chaperone agent revoke NAME [--data-dir DIR]
      Revokes the agent's tokens; a running gateway refuses them on the next request.`;


export const APPROVALS_USAGE = `Usage:
  chaperone approvals list [--data-dir DIR]
      Requests held for a person's approval, oldest first, one per line, the ID first.
  chaperone approvals approve ID [--for DURATION | --always] [--data-dir DIR]
      Lets the request through once. --for DURATION (90s, 10m, 2h) also allows this agent's
      requests matching the same rule for that long; --always adds a rule to the policy file
      (the rule is printed) so they are never asked about again.
  chaperone approvals deny ID [--reason TEXT] [--data-dir DIR]
      Refuses the request; the agent reads "Denied by the approver: TEXT".
  chaperone approvals watch [--data-dir DIR]
      Shows each request as it arrives (what it does, the rule that asked, the exec command, the
      dry-run diff, the rule "always" would add) and asks: [a]llow once, allow [f]or N minutes,
      a[l]ways, [d]eny REASON, [s]kip. Reads answers line by line (a pipe works); ends at end of input.
These need the running engine (chaperone serve) for the data dir.`;

export const POLICY_USAGE = `Usage:
  chaperone policy check [FILE] [--data-dir DIR]
      Validates a policy file (default: DATA_DIR/policy.yaml): "ok: FILE (N profiles: …)", or one
      line per error, FILE:LINE:COLUMN FIELD: MESSAGE, and exit status 1.
  chaperone policy explain --agent NAME [--data-dir DIR] -- VERB RESOURCE [NAME] [-n NAMESPACE]
      What the policy decides for a request of this agent, which rule decided, the guardrails it
      trips and every rule that matches. RESOURCE as the policy names it: pods, deployments.apps,
      pods/exec, deployments.apps/scale; for a non-resource request, VERB get and a path (/version).
      Works offline, from the data dir's policy file and agent registry.
  Examples:
      chaperone policy explain --agent claude -- delete namespaces prod
      chaperone policy explain --agent claude -- exec pods/exec web-1 -n dev
      chaperone policy explain --agent claude -- get /version`;
