#!/usr/bin/env node
// The `chaperone` command line (headless mode). Errors are one readable line on stderr and a
// non-zero exit; a stack trace is never what a person sees.
import { CliError } from "./cli-error.js";
import { MAIN_USAGE } from "./usage.js";
import { VERSION } from "../version.js";

type Command = (argv: string[]) => Promise<number>;

/**
 * Commands load on demand: the engine's dependencies (the Kubernetes client, CEL, x509) take
 * hundreds of milliseconds to import, which `--help` or `approvals list` should not pay.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import("./commands/serve.js")).serveCommand,
  agent: async () => (await import("./commands/agent.js")).agentCommand,
  approvals: async () => (await import("./commands/approvals.js")).approvalsCommand,
  policy: async () => (await import("./commands/policy.js")).policyCommand,
  audit: async () => (await import("./commands/audit.js")).auditCommand,
  run: async () => (await import("./commands/run.js")).runCommand,
  runs: async () => (await import("./commands/runs.js")).runsCommand,
  recordings: async () => (await import("./commands/recordings.js")).recordingsCommand,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
      console.error(MAIN_USAGE);
      return 2;
    case "--help":
    case "-h":
    case "help":
      console.log(MAIN_USAGE);
      return 0;
    case "--version":
    case "version":
      console.log(VERSION);
      return 0;
    default: {
      const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
      if (!load) throw new CliError(`unknown command "${command}" (see chaperone --help)`);
      return (await load())(rest);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof CliError) return error.message;
  const err = error as NodeJS.ErrnoException;
  if (err?.code === "EADDRINUSE") return `address already in use (${err.message.replace(/^listen EADDRINUSE: address already in use /, "")}); pick another with --listen`;
  if (err?.code === "EACCES" || err?.code === "EPERM") return `permission denied: ${err.message}`;
  return err?.message?.split("\n")[0] ?? String(error);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`chaperone: ${describe(error)}\n`);
    if (process.env.CHAPERONE_DEBUG) console.error(error);
    process.exitCode = error instanceof CliError ? error.exitCode : 1;
  },
);
