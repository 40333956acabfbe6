// The secret values the engine has seen on the way through (Secret data, tokens, sensitive env
// values, detector matches), so that pod logs and exec output can be masked even where no pattern
// would recognise them. Kept in memory only, bounded, oldest forgotten first.
//
// Each value is matched in several forms: as is, base64 (standard and URL alphabets, without the
// padding), JSON-escaped, and without a trailing newline (Secrets created from files usually end
// with one; `echo $VAR` prints them without).
//
// Matching is built for streams: a table of possible first bytes skips everything that cannot
// start a value (cheap on binary output), a hash of the first MIN_LENGTH bytes finds the
// candidates, and a comparison confirms. Values shorter than MIN_LENGTH are not indexed: masking
// every "admin" or "true" in a log would make it unreadable and protect nothing.

export const MIN_KNOWN_LENGTH = 6;
export const MAX_KNOWN_VALUES = 16_384;
/** Longer values are indexed by their first MAX_KNOWN_BYTES bytes. */
export const MAX_KNOWN_BYTES = 16 * 1024;
/** Bound on the bytes held by every form of every value. */
export const MAX_KNOWN_TOTAL_BYTES = 48 * 1024 * 1024;

export interface KnownValue {
  readonly placeholder: string;
  readonly placeholderBytes: Buffer;
}

interface Form {
  readonly bytes: Buffer;
  readonly value: KnownValue;
}

interface Entry {
  value: KnownValue;
  forms: Form[];
  size: number;
}

/** Bits of the 4-byte prefilter: 2^20 counters, ~5 % occupied by 50,000 forms. */
const FILTER_BITS = 20;

/** Filter slot of the 4 bytes at `i`: most positions in a text are rejected with this one lookup. */
function filterAt(buf: Uint8Array, i: number): number {
  const word = (buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24);
  return Math.imul(word, 0x9e3779b1) >>> (32 - FILTER_BITS);
}

/** Slots of the short-prefix filters (prefixes of 2..MIN_KNOWN_LENGTH-1 bytes). */
const PREFIX_BITS = 16;

/** Slot of the `length`-byte prefix at `i`, for deciding whether a short tail could begin a value. */
function prefixAt(buf: Uint8Array, i: number, length: number): number {
  let h = 0x811c9dc5;
  for (let j = 0; j < length; j++) h = Math.imul(h ^ (buf[i + j] as number), 0x01000193);
  return h >>> (32 - PREFIX_BITS);
}

function hashAt(buf: Uint8Array, i: number): number {
  const low = (buf[i] as number) | ((buf[i + 1] as number) << 8) | ((buf[i + 2] as number) << 16) | ((buf[i + 3] as number) << 24);
  return low ^ Math.imul((buf[i + 4] as number) | ((buf[i + 5] as number) << 8), 0x9e3779b1);
}

function isValidUtf8(bytes: Buffer): boolean {
  return Buffer.from(bytes.toString("utf8"), "utf8").equals(bytes);
}

function formsOf(raw: Buffer): Buffer[] {
  const value = raw.length > MAX_KNOWN_BYTES ? raw.subarray(0, MAX_KNOWN_BYTES) : raw;
  const forms = new Map<string, Buffer>();
  const add = (form: Buffer): void => {
    if (form.length >= MIN_KNOWN_LENGTH) forms.set(form.toString("latin1"), form);
  };
  add(value);
  let trimmed = value.length;
  while (trimmed > 0 && (value[trimmed - 1] === 0x0a || value[trimmed - 1] === 0x0d)) trimmed--;
  if (trimmed < value.length) add(value.subarray(0, trimmed));
  add(Buffer.from(value.toString("base64").replace(/=+$/, ""), "latin1"));
  add(Buffer.from(value.toString("base64url"), "latin1"));
  if (isValidUtf8(value)) add(Buffer.from(JSON.stringify(value.toString("utf8")).slice(1, -1), "utf8"));
  return [...forms.values()];
}

/** A match of a known value's form in a buffer. */
export interface KnownMatch {
  start: number;
  end: number;
  value: KnownValue;
}

export class KnownSecretValues {
  /** Insertion-ordered: the first entry is the oldest. Keyed by the value's bytes (latin1). */
  private readonly entries = new Map<string, Entry>();
  private readonly buckets = new Map<number, Form[]>();
  /** Counts of forms by first byte, and by 4-byte filter slot (counts, so eviction can undo them). */
  private readonly firstBytes = new Uint32Array(256);
  private readonly filter = new Uint16Array(1 << FILTER_BITS);
  /** prefixes[L]: counts by the first L bytes of each form (L = 2..MIN_KNOWN_LENGTH-1). */
  private readonly prefixes: Uint16Array[] = Array.from({ length: MIN_KNOWN_LENGTH }, () => new Uint16Array(1 << PREFIX_BITS));
  private totalBytes = 0;
  /** Changes whenever a value is added or forgotten (not when one is seen again): what was masked under one generation holds under it. */
  generation = 0;

  get size(): number {
    return this.entries.size;
  }

  has(value: Buffer): boolean {
    return this.entries.has(value.toString("latin1"));
  }

  /** Remembers a secret value and the placeholder that stands for it. */
  add(value: Buffer, placeholder: string): void {
    if (value.length < MIN_KNOWN_LENGTH) return;
    const key = value.length > MAX_KNOWN_BYTES ? value.subarray(0, MAX_KNOWN_BYTES).toString("latin1") : value.toString("latin1");
    const existing = this.entries.get(key);
    if (existing) {
      // Refresh its age.
      this.entries.delete(key);
      this.entries.set(key, existing);
      return;
    }
    this.generation++;
    const known: KnownValue = { placeholder, placeholderBytes: Buffer.from(placeholder, "latin1") };
    const forms = formsOf(value).map((bytes) => ({ bytes, value: known }));
    const entry: Entry = { value: known, forms, size: forms.reduce((n, f) => n + f.bytes.length, 0) };
    this.entries.set(key, entry);
    this.totalBytes += entry.size;
    for (const form of forms) {
      const hash = hashAt(form.bytes, 0);
      const bucket = this.buckets.get(hash);
      if (bucket) {
        bucket.push(form);
        // Longest first: a value that contains another is masked whole.
        bucket.sort((a, b) => b.bytes.length - a.bytes.length);
      } else this.buckets.set(hash, [form]);
      const firstByte = form.bytes[0] as number;
      this.firstBytes[firstByte] = (this.firstBytes[firstByte] as number) + 1;
      const slot = filterAt(form.bytes, 0);
      const count = this.filter[slot] as number;
      if (count < 0xffff) this.filter[slot] = count + 1;
      this.countPrefixes(form.bytes, 1);
    }
    while (this.entries.size > MAX_KNOWN_VALUES || this.totalBytes > MAX_KNOWN_TOTAL_BYTES) this.evictOldest();
  }

  private evictOldest(): void {
    const first = this.entries.entries().next();
    if (first.done) return;
    const [key, entry] = first.value;
    this.entries.delete(key);
    this.totalBytes -= entry.size;
    for (const form of entry.forms) {
      const hash = hashAt(form.bytes, 0);
      const bucket = this.buckets.get(hash);
      if (!bucket) continue;
      const kept = bucket.filter((f) => f !== form);
      if (kept.length === 0) this.buckets.delete(hash);
      else this.buckets.set(hash, kept);
      const firstByte = form.bytes[0] as number;
      this.firstBytes[firstByte] = (this.firstBytes[firstByte] as number) - 1;
      const slot = filterAt(form.bytes, 0);
      const count = this.filter[slot] as number;
      // A saturated counter stays: the filter may only ever err towards looking closer.
      if (count !== 0xffff) this.filter[slot] = count - 1;
      this.countPrefixes(form.bytes, -1);
    }
  }

  private countPrefixes(bytes: Buffer, delta: 1 | -1): void {
    for (let length = 2; length < MIN_KNOWN_LENGTH; length++) {
      const table = this.prefixes[length] as Uint16Array;
      const slot = prefixAt(bytes, 0, length);
      const count = table[slot] as number;
      if (count === 0xffff) continue;
      table[slot] = count + delta;
    }
  }

  /** Whether the last `length` (< MIN_KNOWN_LENGTH) bytes of a buffer could begin a known value. */
  private mayBegin(buf: Buffer, i: number, length: number): boolean {
    if (length < 2) return true;
    return ((this.prefixes[length] as Uint16Array)[prefixAt(buf, i, length)] as number) > 0;
  }

  /**
   * Finds known values in `buf[from:]`, left to right, longest first at each position, without
   * overlaps. Returns the offset from which bytes must be held back because they may begin a value
   * that continues in data not seen yet (buf.length when nothing needs holding; `final` means
   * there is no more data, so nothing is held).
   */
  scan(buf: Buffer, from: number, final: boolean, onMatch: (match: KnownMatch) => void): number {
    if (this.buckets.size === 0) return buf.length;
    const first = this.firstBytes;
    const filter = this.filter;
    const n = buf.length;
    let i = from;
    while (i < n) {
      if (first[buf[i] as number] === 0) {
        i++;
        continue;
      }
      if (i + MIN_KNOWN_LENGTH > n) {
        // A short tail: held only if it could begin a value (the next chunk decides).
        if (final) break;
        if (this.mayBegin(buf, i, n - i)) return i;
        i++;
        continue;
      }
      if (filter[filterAt(buf, i)] === 0) {
        i++;
        continue;
      }
      const bucket = this.buckets.get(hashAt(buf, i));
      if (bucket === undefined) {
        i++;
        continue;
      }
      let advanced = false;
      for (const form of bucket) {
        const length = form.bytes.length;
        const available = n - i;
        if (available < length) {
          // Could be this value, cut by the end of the data so far.
          if (!final && buf.compare(form.bytes, 0, available, i, n) === 0) return i;
          continue;
        }
        if (buf.compare(form.bytes, 0, length, i, i + length) === 0) {
          onMatch({ start: i, end: i + length, value: form.value });
          i += length;
          advanced = true;
          break;
        }
      }
      if (!advanced) i++;
    }
    return n;
  }

  /** Replaces every known value in a complete text; the text itself when none is found. */
  maskText(text: string): string {
    if (this.buckets.size === 0 || text.length < MIN_KNOWN_LENGTH) return text;
    const buf = Buffer.from(text, "utf8");
    const matches: KnownMatch[] = [];
    this.scan(buf, 0, true, (m) => matches.push(m));
    if (matches.length === 0) return text;
    return replaceMatches(buf, matches, buf.length).toString("utf8");
  }
}

/** `buf[0:end]` with each match replaced by its placeholder. */
export function replaceMatches(buf: Buffer, matches: readonly KnownMatch[], end: number): Buffer {
  if (matches.length === 0) return end === buf.length ? buf : buf.subarray(0, end);
  const parts: Buffer[] = [];
  let at = 0;
  for (const m of matches) {
    parts.push(buf.subarray(at, m.start), m.value.placeholderBytes);
    at = m.end;
  }
  parts.push(buf.subarray(at, end));
  return Buffer.concat(parts);
}
