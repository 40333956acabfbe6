// A small argument parser: `--flag value`, `--flag=value`, boolean flags, positionals, and `--`
// ending option parsing (for `chaperone run -- COMMAND ARGS…`). Unknown flags are errors, so a
// typo never silently changes what a security tool does.
import { CliError } from "./cli-error.js";

export interface FlagSpec {
  /** Flags taking a value. */
  values?: readonly string[];
  /** Flags that are on when present. */
  booleans?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string>;
  booleans: Set<string>;
  /** Everything after `--`, untouched. */
  rest: string[] | null;
}

export function parseArgs(argv: readonly string[], spec: FlagSpec, command: string): ParsedArgs {
  const values = new Set(spec.values ?? []);
  const booleans = new Set([...(spec.booleans ?? []), "help"]);
  const parsed: ParsedArgs = { positionals: [], values: new Map(), booleans: new Set(), rest: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      parsed.rest = argv.slice(i + 1);
      break;
    }
    if (arg === "-h") {
      parsed.booleans.add("help");
      continue;
    }
    if (!arg.startsWith("--") || arg === "--") {
      if (arg.startsWith("-") && arg.length > 1) throw new CliError(`${command}: unknown option ${arg} (see --help)`);
      parsed.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (values.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith("--"))) {
        throw new CliError(`${command}: --${name} needs a value`);
      }
      parsed.values.set(name, value);
    } else if (booleans.has(name)) {
      if (eq !== -1) throw new CliError(`${command}: --${name} takes no value`);
      parsed.booleans.add(name);
    } else {
      throw new CliError(`${command}: unknown option --${name} (see --help)`);
    }
  }
  return parsed;
}
