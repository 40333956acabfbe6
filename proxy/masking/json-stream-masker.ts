// Masks JSON as it streams: a single object, a List of 5,000 Secrets, a Table, or a watch (one
// JSON value after another). Each chunk is tokenized as far as it goes; everything up to the last
// complete token is written out at once, with only the strings the rule tree points at replaced.
// Nothing is parsed into objects except the small units masked whole (env entries, annotation
// values), so a huge list costs one pass and memory for one token, and a watch event goes out in
// the chunk it came in.
//
// Subtrees no rule points into are skipped by a scanner that only tracks brackets and jumps
// over strings with indexOf: for a Secret list that is everything but annotations and data.
// A List item byte for byte the same as one masked before (the same LIST again) is not walked:
// the masker's memo holds what it masked to (see memoItem).
import type { MaskRule, NamedMember } from "./mask-rules.js";
import { maskLastApplied, maskValue, noteLabel, type MaskScope } from "./object-masker.js";
import type { Base64Placeholder } from "./placeholder.js";
import type { ItemMemo } from "./masker.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

const enum Expect {
  Value,
  KeyOrEnd,
  Key,
  Colon,
  CommaOrEndObject,
  ElementOrEnd,
  CommaOrEndArray,
}

/** Bytes JSON allows between tokens. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** A scalar (number, true, false, null) ends at whitespace or structure. */
function endsScalar(c: number): boolean {
  return c === COMMA || c === CLOSE_OBJECT || c === CLOSE_ARRAY || c === COLON || isSpace(c);
}

/**
 * Where the backslashes of a buffer are, asked about left to right: one native search per
 * backslash instead of one per string (most strings have none).
 */
class Escapes {
  private next: number;
  constructor(
    private readonly buf: Buffer,
    from: number,
  ) {
    this.next = buf.indexOf(BACKSLASH, from);
  }

  /** Whether buf[start:end] holds a backslash; `start` never decreases between calls. */
  within(start: number, end: number): boolean {
    if (this.next !== -1 && this.next < start) this.next = this.buf.indexOf(BACKSLASH, start);
    return this.next !== -1 && this.next < end;
  }
}

/** Index just past the string token opening at `start`, or -1 when it continues beyond `buf`. */
function stringEnd(buf: Buffer, start: number, escapes?: Escapes): number {
  // Most strings (keys, names, timestamps) are short: a loop over their bytes costs less than a
  // native search, and a backslash sends it to the careful path.
  const limit = Math.min(buf.length, start + 64);
  let i = start + 1;
  for (; i < limit; i++) {
    const c = buf[i] as number;
    if (c === QUOTE) return i + 1;
    if (c === BACKSLASH) break;
  }
  if (i === limit && limit === buf.length) return -1;
  if (escapes && i === limit) {
    const quote = buf.indexOf(QUOTE, limit);
    if (quote < 0) return -1;
    if (!escapes.within(start + 1, quote)) return quote + 1;
  }
  let from = start + 1;
  for (;;) {
    const quote = buf.indexOf(QUOTE, from);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let j = quote - 1; j > start && buf[j] === BACKSLASH; j--) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Whether buf holds `bytes` at `at` (keys are short: a loop beats a native call). */
function sameBytes(buf: Buffer, at: number, bytes: Buffer): boolean {
  for (let j = 0; j < bytes.length; j++) if (buf[at + j] !== bytes[j]) return false;
  return true;
}

/** Whether the string token buf[start:end] has an escape (searched within the token only). */
function hasEscape(buf: Buffer, start: number, end: number): boolean {
  for (let i = start + 1; i < end - 1; i++) if (buf[i] === BACKSLASH) return true;
  return false;
}

/** The value of the string token buf[start:end] (quotes included). */
function decodeString(buf: Buffer, start: number, end: number, escapes?: Escapes): string {
  if (escapes ? escapes.within(start + 1, end - 1) : end - start > 64 ? buf.subarray(start + 1, end - 1).includes(BACKSLASH) : hasEscape(buf, start, end)) {
    return JSON.parse(buf.toString("utf8", start, end)) as string;
  }
  return buf.toString("utf8", start + 1, end - 1);
}

/** "[#N]" path segments, made once (a list of 5,000 items would otherwise make 5,000 strings per LIST). */
const ELEMENT_SEGMENTS: string[] = [];

function elementSegment(index: number): string {
  if (index >= 16_384) return `[#${index}]`;
  return (ELEMENT_SEGMENTS[index] ??= `[#${index}]`);
}

/**
 * Index just past the container opening at `start` (brackets counted, strings jumped), or -1
 * when it does not end within `buf`.
 */
function containerEnd(buf: Buffer, start: number, escapes: Escapes): number {
  const n = buf.length;
  let depth = 0;
  let i = start;
  while (i < n) {
    const c = buf[i] as number;
    if (c === QUOTE) {
      const end = stringEnd(buf, i, escapes);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    i++;
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
    else if ((c === CLOSE_OBJECT || c === CLOSE_ARRAY) && --depth === 0) return i;
  }
  return -1;
}

/** Tags of rule trees in the masker's item memo. */
const memoTags = new WeakMap<MaskRule, number>();
let nextMemoTag = 1;

/** A List item being masked for the first time, recorded for the memo. */
interface ItemRecording {
  start: number;
  end: number;
  /** Stack depth outside the item. */
  depth: number;
  generation: number;
  dependsOnKnown: boolean;
  /** start, end, replacement, … */
  replacements: (number | Buffer)[];
  notes: [unknown, string, string][];
}

export class MaskingStreamError extends Error {}

const EMPTY = Buffer.alloc(0);

interface Frame {
  isArray: boolean;
  rule: MaskRule;
  index: number;
}

export class JsonStreamMasker {
  private carry: Buffer | null = null;
  /** Where to resume tokenizing in the next buffer (relative to the carry's start). */
  private resume = 0;
  private readonly stack: Frame[] = [];
  /** The field being read: keys and [#index] segments (for notes and last-applied paths). */
  private readonly path: string[] = [];
  private expect = Expect.Value;
  private valueRule: MaskRule | null;
  /** Depth inside a skipped or captured container (0: not skipping). */
  private skipDepth = 0;
  /** Start of the env entry being captured, relative to the current buffer; -1 when none. */
  private captureStart = -1;
  /** The rule of the env entry being captured. */
  private captureRule: MaskRule | null = null;
  private readonly noted = new Map<MaskRule, Set<string>>();
  /**
   * The rule of a List's items (null for watches and single objects). A LIST of the same objects
   * again (5,000 Secrets) is the common case: an item byte for byte as masked before goes out as
   * it went then, found by its bytes in the masker's memo, without walking it.
   */
  private readonly itemRule: MaskRule | null;
  private readonly memoTag: number;
  private recording: ItemRecording | null = null;

  constructor(
    private readonly root: MaskRule,
    private readonly scope: MaskScope,
  ) {
    this.valueRule = root;
    const items = root.anyMember === null ? (root.named.find((m) => m.name === "items")?.rule ?? null) : null;
    this.itemRule = items?.element ?? null;
    let tag = memoTags.get(root);
    if (tag === undefined) memoTags.set(root, (tag = nextMemoTag++));
    this.memoTag = tag;
  }

  /** Bytes held because they end in an incomplete token (or an env entry still being read). */
  get heldBytes(): number {
    return this.carry?.length ?? 0;
  }

  /** Masks a chunk; returns everything that can go out now. Throws MaskingStreamError on malformed JSON. */
  push(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    // A token cut by the previous chunk's end: finish it with the few bytes it needs, instead of
    // copying the whole new chunk behind it.
    let rest = chunk;
    if (this.carry !== null && this.captureStart < 0 && chunk.length > 0) {
      const end = this.heldTokenEnd(this.carry, this.resume, chunk);
      if (end > 0 && end < chunk.length) {
        this.pushInto(chunk.subarray(0, end), out);
        rest = chunk.subarray(end);
      }
    }
    this.pushInto(rest, out);
    return out.length === 0 ? EMPTY : out.length === 1 ? (out[0] as Buffer) : Buffer.concat(out);
  }

  /** How many bytes of `chunk` complete the token held at carry[start:]; -1 when the chunk does not. */
  private heldTokenEnd(carry: Buffer, start: number, chunk: Buffer): number {
    if (carry[start] === QUOTE) {
      let from = 0;
      for (;;) {
        const quote = chunk.indexOf(QUOTE, from);
        if (quote < 0) return -1;
        let backslashes = 0;
        let j = quote - 1;
        while (j >= 0 && chunk[j] === BACKSLASH) {
          backslashes++;
          j--;
        }
        if (j < 0) for (let c = carry.length - 1; c > start && carry[c] === BACKSLASH; c--) backslashes++;
        if ((backslashes & 1) === 0) return quote + 1;
        from = quote + 1;
      }
    }
    // A scalar: it ends at the first delimiter, which the tokenizer must see too.
    for (let i = 0; i < chunk.length; i++) if (endsScalar(chunk[i] as number)) return i + 1;
    return -1;
  }

  private pushInto(chunk: Buffer, out: Buffer[]): void {
    const buf = this.carry === null ? chunk : chunk.length === 0 ? this.carry : Buffer.concat([this.carry, chunk]);
    let emitFrom = 0;
    const emit = (start: number, end: number, replacement: Buffer): void => {
      if (start > emitFrom) out.push(buf.subarray(emitFrom, start));
      out.push(replacement);
      emitFrom = end;
    };
    const stop = this.run(buf, this.resume, emit);
    // Hold back from the incomplete token, or from the start of an env entry being captured.
    const holdFrom = this.captureStart >= 0 ? Math.min(this.captureStart, stop) : stop;
    if (holdFrom > emitFrom) out.push(buf.subarray(emitFrom, holdFrom));
    if (holdFrom < buf.length) {
      this.carry = Buffer.from(buf.subarray(holdFrom));
      this.resume = stop - holdFrom;
      if (this.captureStart >= 0) this.captureStart -= holdFrom;
    } else {
      this.carry = null;
      this.resume = 0;
    }
  }

  /** The end of the body: anything still open means it was cut short, and nothing more is sent. */
  end(): Buffer {
    if (this.carry !== null && this.carry.subarray(this.resume).some((c) => !isSpace(c))) {
      // A final scalar has nothing after it to end it: let it through if it is one.
      if (this.stack.length === 0 && this.skipDepth === 0 && this.expect === Expect.Value) {
        const rest = this.carry;
        this.carry = null;
        if (/^\s*(-?[0-9][0-9.eE+-]*|true|false|null)\s*$/.test(rest.toString("latin1"))) return rest;
      }
      throw new MaskingStreamError("the response ended inside a JSON value");
    }
    if (this.stack.length > 0 || this.skipDepth > 0) throw new MaskingStreamError("the response ended inside a JSON value");
    const rest = this.carry ?? Buffer.alloc(0);
    this.carry = null;
    return rest;
  }

  private noteOnce(rule: MaskRule): void {
    const key = this.path[this.path.length - 1] ?? "";
    if (this.recording !== null) this.recording.notes.push([rule, key, noteLabel(this.path)]);
    let keys = this.noted.get(rule);
    if (!keys) {
      keys = new Set();
      this.noted.set(rule, keys);
    }
    if (keys.has(key)) return;
    keys.add(key);
    this.scope.note(noteLabel(this.path));
  }

  /** Masks one string token by its rule's action; returns the replacement token, or null to keep it. */
  private maskStringToken(buf: Buffer, start: number, end: number, rule: MaskRule, escapes: Escapes): Buffer | null {
    const { masker, settings } = this.scope;
    const action = rule.action;
    if (action === "secret-base64" && !escapes.within(start + 1, end - 1)) {
      if (end - start === 2) return null;
      const entry: Base64Placeholder = masker.secretBase64At(buf, start + 1, end - 1);
      this.noteOnce(rule);
      return (entry.quoted ??= Buffer.from(`"${entry.base64}"`, "latin1"));
    }
    if (action === "detect") {
      const detected = masker.detectAt(buf, start + 1, end - 1, settings.detectors, () => decodeString(buf, start, end, escapes));
      if (detected === null) return null;
      this.noteOnce(rule);
      return Buffer.from(JSON.stringify(detected), "utf8");
    }
    if ((action === "scan" || action === "last-applied") && this.recording !== null) this.recording.dependsOnKnown = true;
    const value = decodeString(buf, start, end, escapes);
    let masked: string;
    switch (action) {
      case "secret":
        masked = value === "" ? value : masker.secret(value);
        break;
      case "secret-base64":
        masked = value === "" ? value : masker.secretBase64(value);
        break;
      case "scan":
        masked = masker.scan(value, settings.detectors);
        break;
      case "detect-base64":
        masked = masker.scanBase64(value, settings.detectors, undefined, false);
        break;
      case "last-applied":
        masked = maskLastApplied(value, rule.objectRule, this.scope, this.path.slice());
        break;
      default:
        return null;
    }
    if (masked === value) return null;
    this.noteOnce(rule);
    return Buffer.from(JSON.stringify(masked), "utf8");
  }

  /** Where the item memoItem found ends. */
  private memoEnd = 0;

  /**
   * At the `{` of a List item: when the whole item is in `buf` and the masker's memo has it, emits
   * what it masked to (and its notes) and returns true (memoEnd: where it ends). Otherwise starts
   * recording it (when it is whole in `buf`) and returns false: the item is walked as usual.
   */
  private memoItem(buf: Buffer, start: number, escapes: Escapes, emit: (start: number, end: number, replacement: Buffer) => void): boolean {
    const { masker } = this.scope;
    const memo: ItemMemo | undefined = masker.itemMemo(buf, start, this.memoTag);
    if (memo === undefined) {
      const end = containerEnd(buf, start, escapes);
      if (end >= 0) this.recording = { start, end, depth: this.stack.length, generation: masker.known.generation, dependsOnKnown: false, replacements: [], notes: [] };
      return false;
    }
    const end = start + memo.length;
    if (memo.output !== null) emit(start, end, memo.output);
    for (const [rule, key, label] of memo.notes) {
      let keys = this.noted.get(rule as MaskRule);
      if (!keys) {
        keys = new Set();
        this.noted.set(rule as MaskRule, keys);
      }
      if (keys.has(key)) continue;
      keys.add(key);
      this.scope.note(label);
    }
    this.memoEnd = end;
    return true;
  }

  /** The recorded item ended at `end`: what it masked to goes into the memo. */
  private finishRecording(buf: Buffer, end: number): void {
    const recording = this.recording as ItemRecording;
    this.recording = null;
    if (end !== recording.end) return;
    const { masker } = this.scope;
    // Masked under known values that changed while it was (its own values were learned): not reusable.
    if (recording.dependsOnKnown && masker.known.generation !== recording.generation) return;
    let output: Buffer | null = null;
    const parts = recording.replacements;
    if (parts.length > 0) {
      const pieces: Buffer[] = [];
      let at = recording.start;
      for (let k = 0; k < parts.length; k += 3) {
        pieces.push(buf.subarray(at, parts[k] as number), parts[k + 2] as Buffer);
        at = parts[k + 1] as number;
      }
      pieces.push(buf.subarray(at, end));
      output = Buffer.concat(pieces);
    }
    masker.rememberItem(buf, recording.start, end, this.memoTag, { output, notes: recording.notes, generation: recording.dependsOnKnown ? recording.generation : -1 });
  }

  /** After a value inside a container: its path segment goes, and the container's grammar follows. */
  private afterValue(): Expect {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) return Expect.Value;
    this.path.pop();
    return parent.isArray ? Expect.CommaOrEndArray : Expect.CommaOrEndObject;
  }

  /**
   * Tokenizes buf[from:], calling `emit` for each replacement. Returns where the first incomplete
   * token starts (buf.length when everything was consumed). The grammar state lives in locals
   * while it runs (the hot loop) and goes back to the fields whenever it returns.
   */
  private run(buf: Buffer, from: number, emit: (start: number, end: number, replacement: Buffer) => void): number {
    const n = buf.length;
    const escapes = new Escapes(buf, from);
    const stack = this.stack;
    const path = this.path;
    const root = this.root;
    let expect = this.expect;
    let valueRule = this.valueRule;
    let depth = this.skipDepth;
    let i = from;
    let stop = n;
    scan: while (i < n) {
      if (depth > 0) {
        // Skipping (or capturing) a container: only brackets and strings matter.
        while (i < n) {
          const c = buf[i] as number;
          if (c === QUOTE) {
            const end = stringEnd(buf, i, escapes);
            if (end < 0) {
              stop = i;
              break scan;
            }
            i = end;
            continue;
          }
          if (c === OPEN_OBJECT || c === OPEN_ARRAY) depth++;
          else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
            depth--;
            if (depth === 0) {
              i++;
              break;
            }
          }
          i++;
        }
        if (depth > 0) break;
        if (this.captureStart >= 0) {
          const start = this.captureStart;
          this.captureStart = -1;
          const replacement = this.maskCaptured(buf, start, i);
          if (replacement) {
            emit(start, i, replacement);
            this.recording?.replacements.push(start, i, replacement);
          }
        }
        expect = this.afterValue();
        if (expect === Expect.Value) valueRule = root;
        continue;
      }

      const c = buf[i] as number;
      if (c <= 0x20 && isSpace(c)) {
        i++;
        continue;
      }
      switch (expect) {
        case Expect.Value: {
          const rule = valueRule;
          if (c === QUOTE) {
            const end = stringEnd(buf, i, escapes);
            if (end < 0) {
              stop = i;
              break scan;
            }
            if (rule !== null && rule.action !== null) {
              const replacement = this.maskStringToken(buf, i, end, rule, escapes);
              if (replacement) {
                emit(i, end, replacement);
                this.recording?.replacements.push(i, end, replacement);
              }
            }
            i = end;
            expect = this.afterValue();
            if (expect === Expect.Value) valueRule = root;
            continue;
          }
          if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
            if (rule !== null && rule.envVar) {
              this.captureStart = i;
              this.captureRule = rule;
              depth = 1;
            } else if (rule === null || (c === OPEN_ARRAY ? rule.element === null : !rule.hasMembers)) {
              depth = 1;
            } else if (rule === this.itemRule && c === OPEN_OBJECT && this.recording === null && this.memoItem(buf, i, escapes, emit)) {
              // Masked as before, notes and all: the item is behind us.
              i = this.memoEnd;
              expect = this.afterValue();
              if (expect === Expect.Value) valueRule = root;
              continue;
            } else {
              stack.push({ isArray: c === OPEN_ARRAY, rule, index: 0 });
              expect = c === OPEN_ARRAY ? Expect.ElementOrEnd : Expect.KeyOrEnd;
            }
            i++;
            continue;
          }
          if (c === CLOSE_OBJECT || c === CLOSE_ARRAY || c === COMMA || c === COLON) {
            this.saveState(expect, valueRule, depth);
            throw new MaskingStreamError(`unexpected "${String.fromCharCode(c)}" where a JSON value belongs`);
          }
          let j = i + 1;
          while (j < n && !endsScalar(buf[j] as number)) j++;
          if (j === n) {
            stop = i;
            break scan;
          }
          i = j;
          expect = this.afterValue();
          if (expect === Expect.Value) valueRule = root;
          continue;
        }
        case Expect.KeyOrEnd:
        case Expect.Key: {
          if (c === CLOSE_OBJECT && expect === Expect.KeyOrEnd) {
            stack.pop();
            i++;
            if (this.recording !== null && stack.length === this.recording.depth) this.finishRecording(buf, i);
            expect = this.afterValue();
            if (expect === Expect.Value) valueRule = root;
            continue;
          }
          if (c !== QUOTE) {
            this.saveState(expect, valueRule, depth);
            throw new MaskingStreamError("expected an object key");
          }
          const end = stringEnd(buf, i, escapes);
          if (end < 0) {
            stop = i;
            break scan;
          }
          const rule = (stack[stack.length - 1] as Frame).rule;
          if (rule.anyMember === null && !escapes.within(i + 1, end - 1)) {
            // Only named members matter here: compare the key's bytes, decode nothing.
            const length = end - i - 2;
            let matched: MaskRule | null = null;
            let name = "";
            const named = rule.named;
            for (let m = 0; m < named.length; m++) {
              const member = named[m] as NamedMember;
              if (member.bytes.length === length && sameBytes(buf, i + 1, member.bytes)) {
                matched = member.rule;
                name = member.name;
                break;
              }
            }
            path.push(name);
            valueRule = matched;
          } else {
            const key = decodeString(buf, i, end, escapes);
            path.push(key);
            valueRule = rule.member(key);
          }
          expect = Expect.Colon;
          i = end;
          continue;
        }
        case Expect.Colon:
          if (c !== COLON) {
            this.saveState(expect, valueRule, depth);
            throw new MaskingStreamError('expected ":" after an object key');
          }
          expect = Expect.Value;
          i++;
          continue;
        case Expect.CommaOrEndObject:
          if (c === COMMA) expect = Expect.Key;
          else if (c === CLOSE_OBJECT) {
            stack.pop();
            i++;
            if (this.recording !== null && stack.length === this.recording.depth) this.finishRecording(buf, i);
            expect = this.afterValue();
            if (expect === Expect.Value) valueRule = root;
            continue;
          } else {
            this.saveState(expect, valueRule, depth);
            throw new MaskingStreamError('expected "," or "}" in an object');
          }
          i++;
          continue;
        case Expect.ElementOrEnd:
        case Expect.CommaOrEndArray: {
          const array = stack[stack.length - 1] as Frame;
          if (c === CLOSE_ARRAY) {
            stack.pop();
            i++;
            expect = this.afterValue();
            if (expect === Expect.Value) valueRule = root;
            continue;
          }
          if (expect === Expect.CommaOrEndArray) {
            if (c !== COMMA) {
              this.saveState(expect, valueRule, depth);
              throw new MaskingStreamError('expected "," or "]" in an array');
            }
            array.index++;
            i++;
          }
          path.push(elementSegment(array.index));
          valueRule = array.rule.element;
          expect = Expect.Value;
          continue;
        }
      }
    }
    this.saveState(expect, valueRule, depth);
    return stop;
  }

  private saveState(expect: Expect, valueRule: MaskRule | null, depth: number): void {
    this.expect = expect;
    this.valueRule = valueRule;
    this.skipDepth = depth;
  }

  /** An env entry, read whole: parsed, masked as a unit, re-serialized only when it changed. */
  private maskCaptured(buf: Buffer, start: number, end: number): Buffer | null {
    if (this.recording !== null) this.recording.dependsOnKnown = true;
    let entry: unknown;
    try {
      entry = JSON.parse(buf.toString("utf8", start, end)) as unknown;
    } catch {
      throw new MaskingStreamError("an env entry is not valid JSON");
    }
    const masked = maskValue(entry, this.captureRule as MaskRule, this.scope, this.path.slice());
    return masked === entry ? null : Buffer.from(JSON.stringify(masked), "utf8");
  }
}
