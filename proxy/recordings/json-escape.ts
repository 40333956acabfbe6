// JSON string escaping from UTF-8 bytes straight to UTF-8 bytes, for the `data` of asciicast
// lines. For bytes that are valid UTF-8 it gives exactly what `JSON.stringify(bytes.toString())`
// gives between its quotes, encoded as UTF-8: `"` and `\` are escaped, control characters
// (< 0x20) become \b \t \n \f \r or \u00XX (lowercase hex), everything else (DEL, non-ASCII
// characters, U+2028/2029) passes unchanged. Valid UTF-8 holds no lone surrogates, the one other
// thing JSON.stringify escapes. Bulk output costs several times less than decoding to a string,
// JSON.stringify and encoding back (the recording of `cat bigfile` was dominated by those).
//
// Scans four bytes at a time: per-byte bit tricks (no carry crosses a byte) give a mask of the
// bytes < 0x20, = 0x22 or = 0x5c in a word; a word without any is skipped whole.

/** The most bytes one input byte can become (\u00XX). */
export const MAX_ESCAPE_EXPANSION = 6;

const HEX = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/** The second byte of a two-byte escape, 0 for a control character written as \u00XX. */
const SHORT = new Uint8Array(0x60);
SHORT[0x22] = 0x22; // \"
SHORT[0x5c] = 0x5c; // \\
SHORT[0x08] = 0x62; // \b
SHORT[0x09] = 0x74; // \t
SHORT[0x0a] = 0x6e; // \n
SHORT[0x0c] = 0x66; // \f
SHORT[0x0d] = 0x72; // \r

/** Runs longer than this are copied natively; shorter ones byte by byte (cheaper than the call). */
const NATIVE_COPY_MIN = 32;
const NO_WORDS = new Int32Array(0);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function isSpecial(c: number): boolean {
  return c < 0x20 || c === 0x22 || c === 0x5c;
}

/**
 * The high bit of each byte of `x` that is < 0x20, 0x22 or 0x5c. Per byte, on its low 7 bits b:
 * b + 0x60 has its high bit set when b >= 0x20; (b ^ 0x22) + 0x7f when b != 0x22; (b ^ 0x5c) + 0x7f
 * when b != 0x5c (no sum carries into the next byte). A byte >= 0x80 (x's own high bit) is never special.
 */
function specialBytes(x: number): number {
  const low = x & 0x7f7f7f7f;
  return ~(((low + 0x60606060) & ((low ^ 0x22222222) + 0x7f7f7f7f) & ((low ^ 0x5c5c5c5c) + 0x7f7f7f7f)) | x) & 0x80808080;
}

function escapeByte(dst: Buffer, at: number, c: number): number {
  let j = at;
  dst[j++] = 0x5c;
  const short = SHORT[c] as number;
  if (short !== 0) {
    dst[j++] = short;
    return j;
  }
  dst[j++] = 0x75; // u
  dst[j++] = 0x30;
  dst[j++] = 0x30;
  dst[j++] = HEX[c >> 4] as number;
  dst[j++] = HEX[c & 15] as number;
  return j;
}

function copyRun(src: Buffer, from: number, to: number, dst: Buffer, at: number): number {
  const length = to - from;
  if (length > NATIVE_COPY_MIN) {
    src.copy(dst, at, from, to);
    return at + length;
  }
  let j = at;
  for (let k = from; k < to; k++) dst[j++] = src[k] as number;
  return j;
}

/**
 * Writes the JSON-escaped form of `src[from, to)` into `dst` at `at` and returns the position after
 * it. `dst` needs room for MAX_ESCAPE_EXPANSION × (to − from) bytes. `src` should be valid UTF-8
 * (bytes ≥ 0x80 are copied as they are).
 */
export function escapeJsonBytes(src: Buffer, from: number, to: number, dst: Buffer, at: number): number {
  let j = at;
  let start = from; // first byte not yet written
  let i = from;
  const alignedFrom = Math.min(to, from + ((4 - ((src.byteOffset + from) & 3)) & 3));
  for (; i < alignedFrom; i++) {
    const c = src[i] as number;
    if (!isSpecial(c)) continue;
    j = escapeByte(dst, copyRun(src, start, i, dst, j), c);
    start = i + 1;
  }
  const wordCount = (to - i) >> 2;
  const words = wordCount > 0 ? new Int32Array(src.buffer, src.byteOffset + i, wordCount) : NO_WORDS;
  for (let w = 0; w < wordCount; w++) {
    // Skip plain text two words at a time.
    while (w + 1 < wordCount && (specialBytes(words[w] as number) | specialBytes(words[w + 1] as number)) === 0) w += 2;
    if (w >= wordCount) break;
    let special = specialBytes(words[w] as number);
    if (special === 0) continue;
    const p = i + (w << 2);
    if (!LITTLE_ENDIAN) {
      for (let k = p; k < p + 4; k++) {
        const c = src[k] as number;
        if (!isSpecial(c)) continue;
        j = escapeByte(dst, copyRun(src, start, k, dst, j), c);
        start = k + 1;
      }
      continue;
    }
    do {
      // Lowest set bit first: the lowest byte of a little-endian word is the first in memory.
      const k = p + ((31 - Math.clz32(special & -special)) >> 3);
      j = escapeByte(dst, copyRun(src, start, k, dst, j), src[k] as number);
      start = k + 1;
      special &= special - 1;
    } while (special !== 0);
  }
  for (i += wordCount << 2; i < to; i++) {
    const c = src[i] as number;
    if (!isSpecial(c)) continue;
    j = escapeByte(dst, copyRun(src, start, i, dst, j), c);
    start = i + 1;
  }
  return copyRun(src, start, to, dst, j);
}
