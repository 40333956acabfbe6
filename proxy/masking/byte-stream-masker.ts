// Masks a byte stream: pod logs, the stdout/stderr of exec and attach, what a pod sends through a
// port-forward. Two stages:
//
//  1. Known secret values (known-values.ts), matched on bytes in every form. Only bytes that could
//     still be the beginning of a known value are held back, so a value split across chunks or
//     frames is caught and everything else goes out at once.
//  2. Detectors, a line at a time: the unfinished last line is held until its newline arrives,
//     the stream goes quiet (flushIdle, called by the owner's timer) or it grows past MAX_LINE.
//     A PEM private key spans lines: from its BEGIN line the block is held until its END line
//     (then masked whole), up to MAX_PEM; past that the block is swallowed up to its END (the
//     last bytes stay held meanwhile, so an END line cut in two is still found).
//
// Detectors work on the latin1 view of the bytes (one character per byte, every byte kept), so
// binary output (kubectl cp) passes through unchanged unless something actually matches.
//
// How a match is replaced (`Replacement`):
//  - "placeholder": by the value's placeholder (39 bytes): logs, terminals, text output.
//  - "same-length": by as many bytes as the match, the placeholder's characters repeated and cut
//    to length (sameLengthFill): an archive (`kubectl cp`), a binary file, an HTTP body over
//    port-forward keeps every length and offset valid, still reveals nothing but the length, and
//    the same value always reads the same. A PEM block too long to hold is overwritten, not dropped.
//  - "by-content": decided by the first output: text (UTF-8 without NUL) gets placeholders,
//    anything else the same length (a session without a TTY printing a binary file).
import { looksLikeText } from "../recordings/looks-like-text.js";
import type { Masker } from "./masker.js";
import type { DetectorSet } from "./detectors.js";
import { PEM_PRIVATE_KEY_BEGIN } from "./detectors.js";
import { replaceMatches, type KnownMatch } from "./known-values.js";
import { PLACEHOLDER_PATTERN, PLACEHOLDER_PREFIX } from "./placeholder.js";

export type Replacement = "placeholder" | "same-length" | "by-content";

export interface ByteStreamMaskerOptions {
  /** How a match is replaced; "placeholder" unless said. */
  replacement?: Replacement;
}

/**
 * `length` bytes standing for a value whose placeholder is `placeholder`: the placeholder repeated
 * and cut to length, from `offset` into that repetition (a block overwritten in several pieces).
 */
export function sameLengthFill(placeholder: string, length: number, offset = 0): Buffer {
  const out = Buffer.allocUnsafe(length);
  const unit = placeholder.length;
  for (let i = 0; i < length; i++) out[i] = placeholder.charCodeAt((offset + i) % unit);
  return out;
}

/** Whether a detector match is (or starts with) a same-length fill stage 1 wrote: never masked again. */
function isFill(text: string): boolean {
  return text.length < 10 ? PLACEHOLDER_PREFIX.startsWith(text) : text.includes("chaperone-");
}

/** An unfinished line longer than this goes out but for its last LINE_TAIL bytes. */
export const MAX_LINE = 16 * 1024;
/** What stays held of a long unfinished line: room for a whole token (a JWT, a key) to be matched. */
export const LINE_TAIL = 4 * 1024;
/** How much of what precedes a detector's masked part (a key, `Authorization: Bearer `) stays with it when a long line is cut. */
export const MATCH_CONTEXT = 256;
/** A PEM block is held at most this long before it is masked and the rest of it swallowed. */
export const MAX_PEM = 64 * 1024;
/** How long a stream may be quiet before its unfinished line is released (owners run the timer). */
export const IDLE_FLUSH_MS = 40;

const NEWLINE = 0x0a;
const PEM_BEGIN = Buffer.from("-----BEGIN ", "latin1");
const PEM_END = /-----END [A-Z ]*PRIVATE KEY(?: BLOCK)?-----/;
/** Longer than any END line PEM_END matches ("-----END PGP PRIVATE KEY BLOCK-----" is 36). */
const PEM_END_MAX = 64;
const EMPTY = Buffer.alloc(0);

/**
 * Bytes a built-in detector's match may hold before its first trigger byte: ASCII text and white
 * space as `\s` knows it (tab to carriage return, space, no-break space). A key, a scheme, a token's
 * prefix ("ey", "ghp", "sk") — never a control byte, a NUL or other binary. So in bytes without
 * trigger bytes, a match still to come (its anchor in data not seen yet) can only begin after the
 * last byte outside this set: what comes before goes out at once.
 */
const TEXT_BEFORE_ANCHOR = (() => {
  const table = new Uint8Array(256);
  for (let b = 0x09; b <= 0x0d; b++) table[b] = 1;
  for (let b = 0x20; b <= 0x7e; b++) table[b] = 1;
  table[0xa0] = 1;
  return table;
})();

/** The last index in buf[from:to] of a byte outside TEXT_BEFORE_ANCHOR, or -1. */
function lastNonText(buf: Buffer, from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (TEXT_BEFORE_ANCHOR[buf[i] as number] === 0) return i;
  return -1;
}

function concat(a: Buffer | null, b: Buffer): Buffer {
  if (a === null || a.length === 0) return b;
  if (b.length === 0) return a;
  return Buffer.concat([a, b]);
}

export class ByteStreamMasker {
  /** Stage 1: bytes that may begin a known value. */
  private knownHeld: Buffer | null = null;
  /**
   * Same-length mode: how many leading bytes of knownHeld already went out at an idle flush. A
   * port-forwarded protocol waits for the end of a reply before it sends again, so a reply ending
   * in what could begin a secret value cannot be held until more bytes come: after a quiet period
   * those bytes go out, and if the value does continue, the rest of it is still overwritten.
   */
  private knownReleased = 0;
  /** Stage 2: the unfinished line (or PEM block) not yet scanned. */
  private lineHeld: Buffer | null = null;
  /** lineHeld when it is known to hold no trigger byte and no newline (quietLines may take it as is). */
  private quietHeld: Buffer | null = null;
  /**
   * The detectors' trigger bytes (DetectorSet.triggerBytes; null: every byte may matter). Only
   * built-in detectors have them, so where they are known, what a match holds before its trigger
   * byte is text (TEXT_BEFORE_ANCHOR).
   */
  private readonly triggers: readonly number[] | null;
  /** Inside a PEM block too long to hold: dropping bytes until its END line. */
  private swallowing = false;
  /** Same-length mode, while swallowing: the block's placeholder and how much of its fill went out. */
  private swallowFill: { placeholder: string; offset: number } | null = null;
  /** null until "by-content" has seen the first output. */
  private sameLength: boolean | null;

  constructor(
    private readonly masker: Masker,
    private readonly detectors: DetectorSet,
    /** Called whenever something was masked (the request's record of masked fields). */
    private readonly onMasked: (() => void) | null = null,
    options: ByteStreamMaskerOptions = {},
  ) {
    const replacement = options.replacement ?? "placeholder";
    this.sameLength = replacement === "by-content" ? null : replacement === "same-length";
    this.triggers = detectors.empty ? null : detectors.triggerBytes;
  }

  /** What replaces `bytes` (a whole match) in the current mode. */
  private replacementFor(placeholder: string, length: number): Buffer {
    return this.sameLength ? sameLengthFill(placeholder, length) : Buffer.from(placeholder, "latin1");
  }

  /** Bytes held back right now (a timer should call flushIdle while this is > 0). */
  get heldBytes(): number {
    return (this.knownHeld?.length ?? 0) + (this.lineHeld?.length ?? 0);
  }

  /** Whether anything flushIdle would release is held. */
  get idleReleasable(): boolean {
    return (this.lineHeld?.length ?? 0) > 0 || (this.sameLength === true && this.knownHeld !== null && this.knownReleased < this.knownHeld.length);
  }

  push(chunk: Buffer): Buffer {
    if (this.sameLength === null && chunk.length > 0) this.sameLength = !looksLikeText(chunk);
    return this.lines(this.known(chunk, false), false);
  }

  /**
   * The stream went quiet: scan and release the unfinished line (a PEM block stays held). In
   * same-length mode, bytes held as the possible beginning of a known value go too (see
   * knownReleased); in placeholder mode (terminals, logs) they stay until the value is decided, so
   * a secret typed or printed slowly is still masked whole.
   */
  flushIdle(): Buffer {
    let released: Buffer = EMPTY;
    if (this.sameLength === true && this.knownHeld !== null && this.knownReleased < this.knownHeld.length) {
      released = this.knownHeld.subarray(this.knownReleased);
      this.knownReleased = this.knownHeld.length;
    }
    return this.lines(released, true);
  }

  /** The stream ended: everything goes, masked as far as it can be. */
  end(): Buffer {
    const rest = this.known(EMPTY, true);
    const out = this.lines(rest, true, true);
    this.lineHeld = null;
    return out;
  }

  private known(chunk: Buffer, final: boolean): Buffer {
    if (this.knownHeld === null && this.masker.known.size === 0) return chunk;
    const buf = concat(this.knownHeld, chunk);
    const released = this.knownReleased;
    this.knownHeld = null;
    this.knownReleased = 0;
    if (buf.length === 0) return buf;
    const matches: KnownMatch[] = [];
    const holdFrom = this.masker.known.scan(buf, 0, final, (m) => matches.push(m));
    if (holdFrom < buf.length) {
      this.knownHeld = Buffer.from(buf.subarray(holdFrom));
      this.knownReleased = Math.max(0, released - holdFrom);
    }
    if (matches.length > 0) this.onMasked?.();
    let out: Buffer;
    if (!this.sameLength || matches.length === 0) out = replaceMatches(buf, matches, holdFrom);
    else {
      // In place: every match has the length of its fill.
      out = Buffer.from(buf.subarray(0, holdFrom));
      for (const m of matches) sameLengthFill(m.value.placeholder, m.end - m.start).copy(out, m.start);
    }
    // Bytes released at an idle flush already went out (only in same-length mode, where offsets hold).
    return released === 0 ? out : out.subarray(Math.min(released, out.length));
  }

  private lines(input: Buffer, idle: boolean, final = false): Buffer {
    if (!idle && !final && !this.swallowing && input.length > 0 && this.triggers !== null) {
      const out = this.quietLines(input);
      if (out !== null) return out;
    }
    let buf = concat(this.lineHeld, input);
    this.lineHeld = null;
    if (buf.length === 0) return buf;
    let swallowed: Buffer | null = null;
    if (this.swallowing) {
      const resumed = this.skipPastPemEnd(buf);
      if (resumed === null) {
        // The END line may be arriving in pieces: its possible beginning stays (unless this is the end).
        const keep = final ? 0 : Math.min(buf.length, PEM_END_MAX);
        if (keep > 0) this.lineHeld = Buffer.from(buf.subarray(buf.length - keep));
        return this.swallowed(buf.length - keep) ?? EMPTY;
      }
      swallowed = this.swallowed(buf.length - resumed.length);
      this.swallowFill = null;
      buf = resumed;
    }
    const out = this.linesAfterPem(buf, input, idle, final);
    return swallowed === null ? out : Buffer.concat([swallowed, out]);
  }

  /** Whether `bytes` hold none of the trigger bytes: no detector match and no PEM BEGIN can involve them. */
  private quiet(bytes: Buffer): boolean {
    for (const byte of this.triggers as readonly number[]) if (bytes.indexOf(byte) >= 0) return false;
    return true;
  }

  /**
   * What linesAfterPem would do when the held line and `input` hold no trigger byte (binary output
   * without them, zeros, plain text without a separator), without decoding or re-checking the held
   * bytes: nothing can match, so it only decides what goes out (up to the last newline, or all but
   * LINE_TAIL of a long line) and what stays held. null when the bytes need the full path.
   */
  private quietLines(input: Buffer): Buffer | null {
    const held = this.lineHeld;
    if (!this.quiet(input)) return null;
    if (held !== null && held !== this.quietHeld) {
      if (held.indexOf(NEWLINE) >= 0 || !this.quiet(held)) return null;
    }
    const heldLength = held === null ? 0 : held.length;
    const total = heldLength + input.length;
    const newline = input.lastIndexOf(NEWLINE);
    let cut = newline < 0 ? 0 : heldLength + newline + 1;
    if (total - cut > MAX_LINE) cut = total - LINE_TAIL;
    if (cut < total) {
      // Only a match whose trigger byte is still to come could take in what stays: it holds no
      // byte before the last one that is not text (binary, zeros), so everything up to it goes too.
      let nonText = lastNonText(input, Math.max(0, cut - heldLength), input.length);
      if (nonText >= 0) nonText += heldLength;
      else if (held !== null && cut < heldLength) nonText = lastNonText(held, cut, heldLength);
      if (nonText >= 0) cut = nonText + 1;
    }
    let out: Buffer;
    let rest: Buffer;
    if (held === null || heldLength === 0) {
      if (cut === input.length) {
        this.lineHeld = this.quietHeld = null;
        return input;
      }
      out = input.subarray(0, cut);
      rest = Buffer.from(input.subarray(cut));
    } else if (cut >= heldLength) {
      out = cut === heldLength ? held : Buffer.concat([held, input.subarray(0, cut - heldLength)], cut);
      rest = Buffer.from(input.subarray(cut - heldLength));
    } else {
      out = held.subarray(0, cut);
      rest = Buffer.concat([held.subarray(cut), input], total - cut);
    }
    // What stays held is after the last newline (or the tail of a line longer than MAX_LINE): no newline in it.
    this.lineHeld = rest.length > 0 ? rest : null;
    this.quietHeld = this.lineHeld;
    return out;
  }

  /** Same-length mode: the fill for `length` more bytes of a swallowed PEM block (null otherwise: they are dropped). */
  private swallowed(length: number): Buffer | null {
    const fill = this.swallowFill;
    if (fill === null || length === 0) return null;
    const out = sameLengthFill(fill.placeholder, length, fill.offset);
    fill.offset += length;
    return out;
  }

  private linesAfterPem(buf: Buffer, input: Buffer, idle: boolean, final: boolean): Buffer {
    if (buf.length === 0) return buf;
    if (this.detectors.empty) return buf;

    // What can go out now: up to the last newline, or everything when idle or final. An
    // unfinished line longer than MAX_LINE (binary output, a progress bar) goes out but for its
    // last LINE_TAIL bytes, so bytes are held briefly and scanned about once.
    let cut = buf.length;
    if (!idle && !final) {
      const newline = buf.lastIndexOf(NEWLINE);
      cut = newline < 0 ? 0 : newline + 1;
      if (buf.length - cut > MAX_LINE) cut = buf.length - LINE_TAIL;
    }
    // An unterminated PEM private key in the scannable part: hold it from its BEGIN line.
    if (!final) {
      const pemStart = this.unterminatedPem(buf, cut);
      if (pemStart >= 0) {
        if (buf.length - pemStart > MAX_PEM) {
          // Too long to hold: mask what there is and drop (or, same-length, overwrite) the rest of the block.
          const placeholder = this.masker.placeholders.forBytes(buf.subarray(pemStart));
          const out = Buffer.concat([this.scan(buf.subarray(0, pemStart), pemStart), this.replacementFor(placeholder, buf.length - pemStart)]);
          this.swallowing = true;
          if (this.sameLength) this.swallowFill = { placeholder, offset: buf.length - pemStart };
          this.onMasked?.();
          return out;
        }
        cut = Math.min(cut, pemStart);
      }
    }
    if (final && this.unterminatedPem(buf, buf.length) >= 0) {
      const start = this.unterminatedPem(buf, buf.length);
      this.onMasked?.();
      return Buffer.concat([this.scan(buf.subarray(0, start), start), this.replacementFor(this.masker.placeholders.forBytes(buf.subarray(start)), buf.length - start)]);
    }
    if (cut === 0) {
      this.lineHeld = buf === input ? Buffer.from(buf) : buf;
      return EMPTY;
    }
    return this.scan(buf, cut);
  }

  /** Where the line of a BEGIN…PRIVATE KEY without its END (within buf[0:cut]) starts, or -1. */
  private unterminatedPem(buf: Buffer, cut: number): number {
    let at = buf.lastIndexOf(PEM_BEGIN, cut - 1);
    while (at >= 0) {
      const tail = buf.toString("latin1", at, Math.min(buf.length, at + 80));
      const begin = PEM_PRIVATE_KEY_BEGIN.exec(tail);
      if (begin && begin.index === 0) {
        if (PEM_END.test(buf.toString("latin1", at))) return -1;
        const lineStart = buf.lastIndexOf(NEWLINE, at);
        return lineStart < 0 ? 0 : lineStart + 1;
      }
      at = at === 0 ? -1 : buf.lastIndexOf(PEM_BEGIN, at - 1);
    }
    return -1;
  }

  /** Drops bytes up to the end of the PEM END line; null when it has not come yet. */
  private skipPastPemEnd(buf: Buffer): Buffer | null {
    const text = buf.toString("latin1");
    const end = PEM_END.exec(text);
    if (!end) return null;
    this.swallowing = false;
    return buf.subarray(end.index + end[0].length);
  }

  /**
   * Detector matches replaced in buf[0:cut], which goes out; buf[cut:] is held. Matches are looked
   * for in the whole buffer, so one that starts before `cut` and runs past it (or up to the end of
   * the data, where it may go on) moves the cut back to its start: no part of a match ever leaves
   * before the whole of it is known.
   */
  private scan(buf: Buffer, cut: number): Buffer {
    const hold = (at: number): void => {
      if (at < buf.length) this.lineHeld = Buffer.from(buf.subarray(at));
    };
    if (buf.length === 0 || !this.detectors.mayMatchBytes(buf)) {
      hold(cut);
      return cut === buf.length ? buf : buf.subarray(0, cut);
    }
    const text = buf.toString("latin1");
    const spans = this.detectors.find(text);
    if (cut < buf.length) {
      // A detector reports the part it masks (the value of `password=…`), not the context that
      // made it match: the held part must keep that context too, or the value, scanned again
      // without its key, would no longer be recognised. Moving the cut back may make an earlier
      // match straddle it: repeat until none does.
      for (let moved = true; moved; ) {
        moved = false;
        for (const span of spans) {
          if (span.start < cut && (span.end > cut || span.end === buf.length)) {
            cut = Math.max(0, span.start - MATCH_CONTEXT);
            moved = true;
          }
        }
      }
    }
    hold(cut);
    const parts: Buffer[] = [];
    let at = 0;
    for (const span of spans) {
      if (span.end > cut) break;
      const secret = text.slice(span.start, span.end);
      // Stage 1 may have put a placeholder (or a same-length fill) here already.
      PLACEHOLDER_PATTERN.lastIndex = 0;
      if (PLACEHOLDER_PATTERN.test(secret) || (this.sameLength && isFill(secret))) continue;
      const bytes = Buffer.from(secret, "latin1");
      const placeholder = this.masker.placeholders.forBytes(bytes);
      this.masker.known.add(bytes, placeholder);
      parts.push(buf.subarray(at, span.start), this.replacementFor(placeholder, bytes.length));
      at = span.end;
    }
    if (at === 0) return buf.subarray(0, cut);
    parts.push(buf.subarray(at, cut));
    this.onMasked?.();
    return Buffer.concat(parts);
  }
}
