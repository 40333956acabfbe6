// Globs for rule fields: `*` is any run of characters (including none, "/" and "."), `?` exactly
// one character, everything else literal. They are compiled once at load time into the cheapest
// check that decides them (a Set lookup, a prefix/suffix test, or an anchored regex), because
// rule matching runs on every request and must stay far below the 20 µs budget.

/** Why a pattern is not a valid glob, or undefined when it is. */
export function globProblem(pattern: string): string | undefined {
  for (let i = 0; i < pattern.length; i++) {
    const code = pattern.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) {
      return code === 0x20 ? "contains a space" : "contains a control character";
    }
    const c = pattern[i] as string;
    // Reserved so that a pattern written for another glob dialect (character classes,
    // alternation, escapes, negation) fails loudly instead of silently matching nothing.
    if ("[]{}\\".includes(c)) {
      return `contains "${c}"; only "*" (any characters) and "?" (one character) are special, and [..], {..} and \\ are not supported (list several patterns instead)`;
    }
  }
  if (pattern.startsWith("!")) return 'starts with "!"; negation is not supported (use `except:` or a deny rule)';
  return undefined;
}

function isLiteral(pattern: string): boolean {
  return !pattern.includes("*") && !pattern.includes("?");
}

function toRegExp(pattern: string): RegExp {
  let source = "^";
  for (const c of pattern) {
    if (c === "*") source += "[\\s\\S]*";
    else if (c === "?") source += "[\\s\\S]";
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return new RegExp(`${source}$`);
}

/**
 * A compiled list of globs (any of them may match). One class with one `matches` method keeps the
 * call site monomorphic however the patterns were compiled.
 */
export class GlobSet {
  private readonly any: boolean;
  private readonly literals: ReadonlySet<string>;
  private readonly prefixes: readonly string[];
  private readonly suffixes: readonly string[];
  private readonly regexes: readonly RegExp[];
  readonly patterns: readonly string[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns;
    const literals = new Set<string>();
    const prefixes: string[] = [];
    const suffixes: string[] = [];
    const regexes: RegExp[] = [];
    let any = false;
    for (const pattern of patterns) {
      if (pattern === "*") any = true;
      else if (isLiteral(pattern)) literals.add(pattern);
      else if (pattern.endsWith("*") && isLiteral(pattern.slice(0, -1))) prefixes.push(pattern.slice(0, -1));
      else if (pattern.startsWith("*") && isLiteral(pattern.slice(1))) suffixes.push(pattern.slice(1));
      else regexes.push(toRegExp(pattern));
    }
    this.any = any;
    this.literals = literals;
    this.prefixes = prefixes;
    this.suffixes = suffixes;
    this.regexes = regexes;
  }

  matches(value: string): boolean {
    if (this.any || this.literals.has(value)) return true;
    for (let i = 0; i < this.prefixes.length; i++) if (value.startsWith(this.prefixes[i] as string)) return true;
    for (let i = 0; i < this.suffixes.length; i++) if (value.endsWith(this.suffixes[i] as string)) return true;
    for (let i = 0; i < this.regexes.length; i++) if ((this.regexes[i] as RegExp).test(value)) return true;
    return false;
  }
}
