// Parser for the small POSIX-shell subset the simulated container understands: words with '…', "…" and
// backslash quoting, $VAR / ${VAR} / $? / $(…) expansions (resolved at run time, so `A=1; echo $A`
// works), pipelines with `|`, lists with `;`, `&&`, `||`, `&` and newlines, `!`, redirections
// (`>`, `>>`, `<`, `2>`, `2>&1`, `>&2`), leading `NAME=value` assignments and `#` comments.

export type WordPart =
  | { kind: "text"; value: string; quoted: boolean }
  | { kind: "variable"; name: string; quoted: boolean }
  | { kind: "substitution"; script: string; quoted: boolean };

export type Word = WordPart[];

export interface Redirect {
  fd: number;
  op: ">" | ">>" | "<" | ">&";
  target: Word;
}

export interface SimpleCommand {
  assignments: { name: string; value: Word }[];
  words: Word[];
  redirects: Redirect[];
}

export interface Pipeline {
  negate: boolean;
  commands: SimpleCommand[];
}

export interface AndOrList {
  first: Pipeline;
  rest: { op: "&&" | "||"; pipeline: Pipeline }[];
}

export type Script = AndOrList[];

export class ShellSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShellSyntaxError";
  }
}

type Token =
  | { type: "word"; word: Word }
  | { type: "op"; op: ";" | "&&" | "||" | "|" | "&" | "\n" | "!" }
  | { type: "redirect"; fd: number; op: Redirect["op"] };

const SPECIAL_VARIABLES = new Set(["?", "$", "#", "!", "@", "*", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let word: Word | null = null;
  const addText = (value: string, quoted: boolean): void => {
    word ??= [];
    const last = word[word.length - 1];
    if (last && last.kind === "text" && last.quoted === quoted) last.value += value;
    else word.push({ kind: "text", value, quoted });
  };
  const endWord = (): void => {
    if (word) tokens.push({ type: "word", word });
    word = null;
  };
  const readDollar = (quoted: boolean): void => {
    // source[i] === "$"
    const next = source[i + 1];
    if (next === "{") {
      const close = source.indexOf("}", i + 2);
      if (close < 0) throw new ShellSyntaxError("bad substitution");
      word ??= [];
      word.push({ kind: "variable", name: source.slice(i + 2, close), quoted });
      i = close + 1;
    } else if (next === "(") {
      let depth = 1;
      let j = i + 2;
      for (; j < source.length && depth > 0; j++) {
        if (source[j] === "(") depth++;
        else if (source[j] === ")") depth--;
      }
      if (depth > 0) throw new ShellSyntaxError("unterminated command substitution");
      word ??= [];
      word.push({ kind: "substitution", script: source.slice(i + 2, j - 1), quoted });
      i = j;
    } else if (next !== undefined && SPECIAL_VARIABLES.has(next)) {
      word ??= [];
      word.push({ kind: "variable", name: next, quoted });
      i += 2;
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i + 1));
      if (match) {
        word ??= [];
        word.push({ kind: "variable", name: match[0], quoted });
        i += 1 + match[0].length;
      } else {
        addText("$", quoted);
        i++;
      }
    }
  };

  while (i < source.length) {
    const c = source[i] as string;
    if (c === " " || c === "\t") {
      endWord();
      i++;
    } else if (c === "\n") {
      endWord();
      tokens.push({ type: "op", op: "\n" });
      i++;
    } else if (c === "#" && word === null) {
      while (i < source.length && source[i] !== "\n") i++;
    } else if (c === "\\") {
      if (source[i + 1] === "\n") i += 2; // line continuation
      else {
        addText(source[i + 1] ?? "", true);
        i += 2;
      }
    } else if (c === "'") {
      const close = source.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError("unterminated quoted string");
      addText(source.slice(i + 1, close), true);
      i = close + 1;
    } else if (c === '"') {
      i++;
      addText("", true); // "" is an (empty) word of its own
      for (;;) {
        if (i >= source.length) throw new ShellSyntaxError("unterminated quoted string");
        const d = source[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && i + 1 < source.length && '$`"\\\n'.includes(source[i + 1] as string)) {
          if (source[i + 1] !== "\n") addText(source[i + 1] as string, true);
          i += 2;
        } else if (d === "$") {
          readDollar(true);
        } else {
          addText(d, true);
          i++;
        }
      }
    } else if (c === "$") {
      readDollar(false);
    } else if (c === ";" || c === "&" || c === "|") {
      endWord();
      const two = source.slice(i, i + 2);
      if (two === "&&" || two === "||") {
        tokens.push({ type: "op", op: two });
        i += 2;
      } else {
        tokens.push({ type: "op", op: c });
        i++;
      }
    } else if (c === ">" || c === "<") {
      // A word made only of digits right before the operator is the file descriptor ("2>").
      let fd = c === ">" ? 1 : 0;
      const current = word as Word | null;
      const only = current?.length === 1 ? current[0] : undefined;
      if (only && only.kind === "text" && !only.quoted && /^\d$/.test(only.value)) {
        fd = Number(only.value);
        word = null;
      } else {
        endWord();
      }
      if (source.slice(i, i + 2) === ">>") {
        tokens.push({ type: "redirect", fd, op: ">>" });
        i += 2;
      } else if (source.slice(i, i + 2) === ">&") {
        tokens.push({ type: "redirect", fd, op: ">&" });
        i += 2;
      } else {
        tokens.push({ type: "redirect", fd, op: c === ">" ? ">" : "<" });
        i++;
      }
    } else if (c === "!" && word === null && (source[i + 1] === " " || source[i + 1] === "\t")) {
      tokens.push({ type: "op", op: "!" });
      i++;
    } else {
      addText(c, false);
      i++;
    }
  }
  endWord();
  return tokens;
}

/** The literal text of a word if it has no expansions, else null. */
export function literalWord(word: Word): string | null {
  let out = "";
  for (const part of word) {
    if (part.kind !== "text") return null;
    out += part.value;
  }
  return out;
}

export function parseScript(source: string): Script {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const describe = (token: Token | undefined): string => {
    if (!token) return "end of file";
    if (token.type === "op") return token.op === "\n" ? "newline" : token.op;
    if (token.type === "redirect") return token.op;
    return literalWord(token.word) ?? "word";
  };

  const parseCommand = (): SimpleCommand => {
    const command: SimpleCommand = { assignments: [], words: [], redirects: [] };
    for (;;) {
      const token = peek();
      if (!token || token.type === "op") break;
      pos++;
      if (token.type === "redirect") {
        const target = peek();
        if (!target || target.type !== "word") throw new ShellSyntaxError(`syntax error: unexpected ${describe(target)}`);
        pos++;
        command.redirects.push({ fd: token.fd, op: token.op, target: target.word });
        continue;
      }
      const first = token.word[0];
      const assignment = first && first.kind === "text" && !first.quoted ? /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(first.value) : null;
      if (assignment && command.words.length === 0 && first && first.kind === "text") {
        const rest: Word = [{ ...first, value: first.value.slice(assignment[0].length) }, ...token.word.slice(1)];
        command.assignments.push({ name: assignment[1] as string, value: rest });
      } else {
        command.words.push(token.word);
      }
    }
    if (command.words.length === 0 && command.assignments.length === 0 && command.redirects.length === 0) {
      throw new ShellSyntaxError(`syntax error: unexpected ${describe(peek())}`);
    }
    return command;
  };

  const parsePipeline = (): Pipeline => {
    let negate = false;
    const bang = peek();
    if (bang && bang.type === "op" && bang.op === "!") {
      negate = true;
      pos++;
    }
    const commands = [parseCommand()];
    for (;;) {
      const token = peek();
      if (token && token.type === "op" && token.op === "|") {
        pos++;
        while (peek()?.type === "op" && (peek() as { op: string }).op === "\n") pos++;
        commands.push(parseCommand());
      } else break;
    }
    return { negate, commands };
  };

  const script: Script = [];
  for (;;) {
    while (peek()?.type === "op" && [";", "\n", "&"].includes((peek() as { op: string }).op)) {
      const op = (peek() as { op: string }).op;
      if (op !== "\n" && script.length === 0) throw new ShellSyntaxError(`syntax error: unexpected "${op}"`);
      pos++;
    }
    if (!peek()) break;
    const list: AndOrList = { first: parsePipeline(), rest: [] };
    for (;;) {
      const token = peek();
      if (token && token.type === "op" && (token.op === "&&" || token.op === "||")) {
        pos++;
        while (peek()?.type === "op" && (peek() as { op: string }).op === "\n") pos++;
        list.rest.push({ op: token.op, pipeline: parsePipeline() });
      } else break;
    }
    script.push(list);
    const after = peek();
    if (after && !(after.type === "op" && [";", "\n", "&"].includes(after.op))) {
      throw new ShellSyntaxError(`syntax error: unexpected ${describe(after)}`);
    }
  }
  return script;
}
