// Text from an agent (object names, exec command lines, diffs of request bodies, API server
// messages) shown to the person approving it. An agent controls those bytes, so an escape
// sequence in them could erase or rewrite what the terminal shows ("allow once" over a
// "delete namespace"). Control characters and bidirectional overrides are made visible instead.

// C0 controls except tab and newline (handled per context), DEL, C1 controls, and the Unicode
// bidi embedding / override / isolate characters that reorder what is displayed.
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function visible(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/** For one line of output: newlines and tabs become visible too. */
export function safeLine(text: string): string {
  return text.replace(UNSAFE, visible).replace(/\n/g, "\\n").replace(/\t/g, "\\t");
}

/** For a block (a diff, a YAML rule): keeps its lines, makes everything else visible. */
export function safeLines(text: string): string[] {
  return text
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => line.replace(UNSAFE, visible).replace(/\t/g, "    "));
}

/** One argument of a command line, quoted the way a POSIX shell would need it. */
export function shellQuote(arg: string): string {
  if (arg !== "" && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
