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
  chaperone run [--agent NAME | --profile P] [--name LABEL] [--data-dir DIR] -- COMMAND [ARGS…]
  chaperone runs list|show ID [--data-dir DIR]
  chaperone audit tail [-f] [-n N] [--agent A] [--run R] [--verb V] [--json] [--data-dir DIR]
  chaperone audit verify [--data-dir DIR]
  chaperone recordings list [--agent A] [--run R] [--data-dir DIR]
  chaperone recordings play ID [--speed N] [--data-dir DIR]
  chaperone recordings export ID [--out FILE] [--data-dir DIR]
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
  --approval-timeout DURATION  how long a request that asks waits for an approver (default 5m)
Audit and recordings (also settable in DATA_DIR/config.json under "audit"; flags win):
  --audit-level LEVEL          None, Metadata, Request (default: request bodies, masked) or RequestResponse
  --audit-max-file-size SIZE   rotate the audit log at this size (default 100M; it also rotates daily, UTC)
  --audit-max-age AGE          remove rotated audit files older than this (default 90d; 0 keeps them)
  --audit-max-total-size SIZE  remove the oldest rotated audit files beyond this total (default 2G; 0: no limit)
  --exec-recording on|off      record exec and attach sessions (default on)
  --recordings-max-age AGE     remove recordings older than this (default 90d; 0 keeps them)
  --recordings-max-total-size SIZE  remove the oldest recordings beyond this total (default 5G; 0: no limit)`;

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


export const RUN_USAGE = `Usage: chaperone run [--agent NAME | --profile P] [--name LABEL] [--quiet] [--data-dir DIR] -- COMMAND [ARGS…]

Runs COMMAND with KUBECONFIG pointing at a fresh kubeconfig whose token belongs to this run alone,
and revokes the token when COMMAND exits. Every request made with it is tied to the run in the
audit log (chaperone audit tail --run ID). Exits with COMMAND's exit code (128+N for signal N).
  --agent NAME    act as this existing agent (its profile applies); the run gets its own token
  --profile P     act as a new agent, run-ID, created for this run alone with profile P
                  (neither: a new agent with the default profile, guarded)
  --name LABEL    a label for the run, shown by chaperone runs list
  --quiet         print nothing of chaperone's own
SIGTERM and SIGHUP are passed on to COMMAND; Ctrl-C reaches it directly. If chaperone run itself
is killed, the token is revoked by the next look (the running gateway looks every second).`;

export const RUNS_USAGE = `Usage:
  chaperone runs list [--json] [--data-dir DIR]
      Every run: ID, label, agent, profile, start, duration, outcome (exit code, signal, running,
      abandoned) and command line.
  chaperone runs show ID [--json] [--data-dir DIR]
      One run (ID or a unique prefix): its command line, working directory, times, exit code, and
      every audit event tied to it.`;

export const AUDIT_USAGE = `Usage:
  chaperone audit tail [-f] [-n N] [--agent A] [--run R] [--verb V] [--json] [--data-dir DIR]
      The last N (default 20) events, one readable line each (--json: as logged); -f keeps
      following the log, across rotation. Filters: the agent, the run (ID or prefix), the verb
      (get, list, create, delete, exec, …).
  chaperone audit verify [--json] [--data-dir DIR]
      Checks the hash chain across every file of the log. Prints "ok: …" and the last hash, or
      "FAILED: FILE:LINE: event seq N … " naming the first event that does not fit, and exits 1.
      A truncated last line (left by a crash) is reported as a warning and not counted.
The log is DATA_DIR/audit/audit.jsonl (audit.k8s.io/v1 Event objects, one per line) and its
rotated files audit-DATE-SEQ.jsonl.`;

export const RECORDINGS_USAGE = `Usage:
  chaperone recordings list [--agent A] [--run R] [--json] [--data-dir DIR]
      Recorded exec and attach sessions: ID, start, agent, run, pod, kind, exit code, command.
  chaperone recordings play ID [--speed N] [--idle-limit SEC] [--data-dir DIR]
      Replays a terminal recording's output in this terminal (--speed 2: twice as fast; pauses
      are shortened to --idle-limit, default 2 s; 0 keeps them). For a binary recording
      (kubectl cp), lists what was copied instead.
  chaperone recordings export ID [--out FILE|-] [--stream stdin|stdout|stderr] [--data-dir DIR]
      Writes the asciicast v2 file (plays in any asciinema player), or for a binary recording
      the bytes of one stream (default: the larger of stdin and stdout, i.e. the tar archive).
IDs may be shortened to any unique prefix. Recordings live in DATA_DIR/recordings.`;
