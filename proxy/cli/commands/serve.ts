// `chaperone serve`: run the engine until SIGINT/SIGTERM, then drain and exit 0.
import { parseArgs } from "../args.js";
import { SERVE_USAGE } from "../usage.js";
import { resolveDataDir } from "../../config/data-dir.js";
import { startEngine } from "../../engine.js";
import { CliError } from "../cli-error.js";
import { parseDuration } from "../duration.js";

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    {
      values: [
        "data-dir",
        "kubeconfig",
        "context",
        "listen",
        "control-listen",
        "drain-timeout",
        "approval-timeout",
        // Audit and recording (issue 6); see proxy/audit/audit-settings.ts.
        "audit-level",
        "audit-max-file-size",
        "audit-max-age",
        "audit-max-total-size",
        "exec-recording",
        "recordings-max-age",
        "recordings-max-total-size",
      ],
      booleans: ["allow-remote"],
    },
    "serve",
  );
  if (args.booleans.has("help")) {
    console.log(SERVE_USAGE);
    return 0;
  }
  if (args.positionals.length > 0) throw new CliError(`serve: unexpected argument ${args.positionals[0]}`);
  const drainSeconds = Number(args.values.get("drain-timeout") ?? 10);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0) throw new CliError("serve: --drain-timeout must be a number of seconds");
  const timeoutFlag = args.values.get("approval-timeout");
  const approvalTimeout = timeoutFlag === undefined ? undefined : parseDuration(timeoutFlag, "--approval-timeout");

  // Signal handlers go in before anything is printed: a supervisor that sees the "listening"
  // line may signal at once, and Node's default SIGTERM action would skip the drain.
  let signalled: ((signal: string) => void) | null = null;
  const pending: string[] = [];
  const onSignal = (signal: string): void => (signalled ? signalled(signal) : void pending.push(signal));
  process.once("SIGINT", () => onSignal("SIGINT"));
  process.once("SIGTERM", () => onSignal("SIGTERM"));

  const engine = await startEngine({
    dataDir: resolveDataDir(args.values.get("data-dir")),
    kubeconfig: args.values.get("kubeconfig"),
    context: args.values.get("context"),
    listen: args.values.get("listen"),
    controlListen: args.values.get("control-listen"),
    allowRemote: args.booleans.has("allow-remote"),
    approvalTimeoutMs: approvalTimeout,
    audit: {
      level: args.values.get("audit-level"),
      maxFileSize: args.values.get("audit-max-file-size"),
      maxAge: args.values.get("audit-max-age"),
      maxTotalSize: args.values.get("audit-max-total-size"),
      execRecording: args.values.get("exec-recording"),
      recordingsMaxAge: args.values.get("recordings-max-age"),
      recordingsMaxTotalSize: args.values.get("recordings-max-total-size"),
    },
  });
  const upstream = engine.upstream.status();
  console.log(`chaperone: proxy listening on ${engine.proxyUrl} (upstream: ${upstream.context} at ${upstream.server})`);
  console.log(`chaperone: control API listening on ${engine.controlUrl}`);
  return new Promise((resolve) => {
    signalled = (signal: string): void => {
      console.log(`chaperone: ${signal} received, draining in-flight requests`);
      engine.stop(drainSeconds * 1000).then(
        () => resolve(0),
        (error: unknown) => {
          console.error(`chaperone: shutdown failed: ${(error as Error).message}`);
          resolve(1);
        },
      );
    };
    const first = pending[0];
    if (first) signalled(first);
  });
}
