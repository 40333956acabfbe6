// The masking of one string, by action: shared by the streaming JSON masker, the object masker
// and the write-back check. Every value masked is remembered in the known-values index, so the
// same secret is also masked where it turns up later in a log or a terminal.
import { Placeholders, PLACEHOLDER_PATTERN, type Base64Placeholder } from "./placeholder.js";

/** Values secretBase64At remembers (cleared whole when full: a list of Secrets seen again is the case it serves). */
const BYTES_CACHE_SIZE = 32_768;
/** Slots of its open-addressing table (a power of two, twice the entries). */
const BYTES_CACHE_SLOTS = 65_536;
/** Bytes of values it keeps, at most (longer values are not cached). */
const BYTES_CACHE_ARENA = 16 * 1024 * 1024;
const BYTES_CACHE_MAX_VALUE = 8_192;
import { KnownSecretValues, type KnownMatch } from "./known-values.js";
import type { DetectorSet, Span } from "./detectors.js";

/** Called for each value replaced: the placeholder and the bytes it stands for (write-back uses it). */
export type OnReplace = (placeholder: string, value: Buffer) => void;

const SENSITIVE_ENV_NAME =
  /(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|key[_-]?data|credentials?|auth|dsn|connection[_-]?string|conn[_-]?str|session[_-]?key|signing[_-]?key|encryption[_-]?key|salt)/i;
/** Names that look sensitive but hold a location or a setting (TOKEN_FILE, SECRET_NAME, AUTH_URL, …). */
const REFERENCE_ENV_NAME = /(?:name|names|ref|path|file|dir|url|uri|type|mode|ttl|timeout|enabled|host|port|user|username|method|provider|issuer|audience|header)$/i;

/** Whether an env var's name marks its value as a secret. */
export function isSensitiveEnvName(name: string): boolean {
  return SENSITIVE_ENV_NAME.test(name) && !REFERENCE_ENV_NAME.test(name);
}

function placeholderSpans(text: string): Span[] {
  const spans: Span[] = [];
  PLACEHOLDER_PATTERN.lastIndex = 0;
  for (let m = PLACEHOLDER_PATTERN.exec(text); m; m = PLACEHOLDER_PATTERN.exec(text)) spans.push({ start: m.index, end: m.index + m[0].length });
  return spans;
}

function overlapsAny(span: Span, others: readonly Span[]): boolean {
  for (const o of others) if (span.start < o.end && o.start < span.end) return true;
  return false;
}

let nextDetectorTag = 1;

/**
 * What the streaming masker made of one List item: its masked bytes (null: unchanged) and the
 * fields it noted. `generation` is the known-values generation it holds for when the item went
 * through free-text scanning (which known values can change), -1 when nothing in it depended on
 * them (Secret data, detector-only ConfigMap data: the same bytes always mask the same way).
 */
export interface ItemMemo {
  readonly output: Buffer | null;
  /** [rule, last path segment, label] for each field masked. */
  readonly notes: readonly (readonly [unknown, string, string])[];
  readonly generation: number;
  /** The item's length in bytes (the same bytes close the same object at the same place). */
  readonly length: number;
}

export class Masker {
  readonly placeholders: Placeholders;
  readonly known: KnownSecretValues;
  /** secretBase64At's cache: by a hash of sampled bytes, confirmed by comparing bytes. */
  private readonly bytesCache = new BytesCache<Base64Placeholder>();
  /** Values (raw JSON string bytes) in which a detector set found nothing, tagged by the set. */
  private readonly detectorClean = new BytesCache<true>();
  private readonly detectorTags = new WeakMap<DetectorSet, number>();
  /** The streaming masker's memo of whole List items (see ItemMemo), tagged by the rule tree. */
  private readonly items = new BytesCache<ItemMemo>();

  /**
   * A List item masked before whose bytes `buf` holds from `start` (`tag` names its rule tree):
   * found by a hash of its first bytes and confirmed by comparing all of them, so its end is known
   * without reading it (the same bytes close the same object at the same place). Undefined when
   * unknown or stale.
   */
  itemMemo(buf: Buffer, start: number, tag: number): ItemMemo | undefined {
    const memo = this.items.getAt(buf, start, prefixHash(buf, start, buf.length), tag);
    if (memo === undefined || (memo.generation >= 0 && memo.generation !== this.known.generation)) return undefined;
    return memo;
  }

  rememberItem(buf: Buffer, start: number, end: number, tag: number, memo: Omit<ItemMemo, "length">): void {
    this.items.set(buf, start, end, prefixHash(buf, start, end), { ...memo, length: end - start }, tag);
  }

  constructor(key: Buffer, known = new KnownSecretValues()) {
    this.placeholders = new Placeholders(key);
    this.known = known;
  }

  /** A whole text value that is a secret. */
  secret(text: string, onReplace?: OnReplace): string {
    const placeholder = this.placeholders.forText(text);
    if (text === placeholder) return text;
    const bytes = Buffer.from(text, "utf8");
    this.known.add(bytes, placeholder);
    onReplace?.(placeholder, bytes);
    return placeholder;
  }

  /** A whole base64 value that is a secret (Secret data): the placeholder, base64-encoded. */
  secretBase64(text: string, onReplace?: OnReplace): string {
    const result = this.secretBase64Entry(text);
    if (onReplace) onReplace(result.placeholder, result.value ?? decodeBase64Value(text));
    return result.base64;
  }

  /**
   * secretBase64 for a value still in a buffer (the streaming masker's hot path): looked up by a
   * short key — the length and a few sampled bytes — and confirmed by comparing bytes, so a Secret
   * seen before costs neither a string of its value nor hashing it.
   */
  secretBase64At(buf: Buffer, start: number, end: number): Base64Placeholder {
    const hash = sampleHash(buf, start, end);
    const hit = this.bytesCache.get(buf, start, end, hash);
    if (hit !== undefined) return hit;
    const text = buf.toString("latin1", start, end);
    const entry = this.secretBase64Entry(text);
    this.bytesCache.set(buf, start, end, hash, entry.value === null ? entry : { ...entry, value: null });
    return entry;
  }

  /**
   * Detector-only masking (ConfigMap data) of a JSON string token's contents still in a buffer
   * (`buf[start:end]`, escapes and all; `decode` gives its text): null when nothing in it matches,
   * else the masked text. Values found clean are remembered by their bytes for this detector set
   * (the result depends on nothing else), so a ConfigMap listed again is not scanned again.
   */
  detectAt(buf: Buffer, start: number, end: number, detectors: DetectorSet, decode: () => string): string | null {
    if (detectors.empty) return null;
    let tag = this.detectorTags.get(detectors);
    if (tag === undefined) this.detectorTags.set(detectors, (tag = nextDetectorTag++));
    const hash = sampleHash(buf, start, end);
    if (this.detectorClean.get(buf, start, end, hash, tag) !== undefined) return null;
    const text = decode();
    const masked = this.scan(text, detectors, undefined, false);
    if (masked !== text) return masked;
    this.detectorClean.set(buf, start, end, hash, true, tag);
    return null;
  }

  /** As secretBase64, returning the (cached) entry itself: the streaming masker keeps its encoded form on it. */
  secretBase64Entry(text: string): Base64Placeholder {
    const result = this.placeholders.forBase64(text);
    if (result.value) this.known.add(result.value, result.placeholder);
    return result;
  }

  /** Free text: known secret values (unless `known` is false: detectors only), then detector matches, replaced. */
  scan(text: string, detectors: DetectorSet, onReplace?: OnReplace, known = true): string {
    let out = text;
    if (known && this.known.size > 0 && text.length >= 6) out = this.replaceKnown(text, onReplace);
    if (detectors.empty) return out;
    return this.replaceDetected(out, detectors, "utf8", onReplace);
  }

  /** base64 free text (ConfigMap binaryData): scanned decoded; re-encoded only when something was masked. */
  scanBase64(text: string, detectors: DetectorSet, onReplace?: OnReplace, known = true): string {
    const decoded = Buffer.from(text, "base64");
    if (decoded.toString("base64") !== text) return this.scan(text, detectors, onReplace, known);
    // latin1 keeps every byte as one character: detectors are ASCII, and binary survives the round trip.
    const latin1 = decoded.toString("latin1");
    const masked = this.scanLatin1(latin1, detectors, onReplace, known);
    return masked === latin1 ? text : Buffer.from(masked, "latin1").toString("base64");
  }

  private scanLatin1(text: string, detectors: DetectorSet, onReplace: OnReplace | undefined, known: boolean): string {
    // Known values are matched on bytes; detectors on the latin1 view of the same bytes.
    let out = text;
    if (known && this.known.size > 0) {
      const buf = Buffer.from(text, "latin1");
      const matches: KnownMatch[] = [];
      this.known.scan(buf, 0, true, (m) => matches.push(m));
      if (matches.length > 0) {
        out = "";
        let at = 0;
        for (const m of matches) {
          onReplace?.(m.value.placeholder, Buffer.from(buf.subarray(m.start, m.end)));
          out += text.slice(at, m.start) + m.value.placeholder;
          at = m.end;
        }
        out += text.slice(at);
      }
    }
    return this.replaceDetected(out, detectors, "latin1", onReplace);
  }

  /**
   * Detector matches in `text` replaced by their placeholders, each value learnt as known; `encoding`
   * says what the characters stand for (utf8 text, or latin1: one character per byte).
   */
  private replaceDetected(text: string, detectors: DetectorSet, encoding: "utf8" | "latin1", onReplace?: OnReplace): string {
    const spans = detectors.find(text);
    if (spans.length === 0) return text;
    // Never mask a placeholder again (a detector for `password=…` would otherwise match one).
    const existing = text.includes("chaperone-masked-") ? placeholderSpans(text) : [];
    let result = "";
    let at = 0;
    for (const span of spans) {
      if (existing.length > 0 && overlapsAny(span, existing)) continue;
      const bytes = Buffer.from(text.slice(span.start, span.end), encoding);
      const placeholder = this.placeholders.forBytes(bytes);
      this.known.add(bytes, placeholder);
      onReplace?.(placeholder, bytes);
      result += text.slice(at, span.start) + placeholder;
      at = span.end;
    }
    return at === 0 ? text : result + text.slice(at);
  }

  private replaceKnown(text: string, onReplace?: OnReplace): string {
    const buf = Buffer.from(text, "utf8");
    const matches: KnownMatch[] = [];
    this.known.scan(buf, 0, true, (m) => matches.push(m));
    if (matches.length === 0) return text;
    const parts: Buffer[] = [];
    let at = 0;
    for (const m of matches) {
      onReplace?.(m.value.placeholder, Buffer.from(buf.subarray(m.start, m.end)));
      parts.push(buf.subarray(at, m.start), m.value.placeholderBytes);
      at = m.end;
    }
    parts.push(buf.subarray(at));
    return Buffer.concat(parts).toString("utf8");
  }
}

/**
 * A number from a value's length and up to 40 of its bytes (both ends and three points between,
 * so that PEM keys of one size, alike at both ends, spread): no string is made on the hot path,
 * and comparing bytes settles collisions.
 */
function sampleHash(buf: Buffer, start: number, end: number): number {
  const length = end - start;
  let hash = Math.imul(length, 0x9e3779b1);
  if (length <= 40) {
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    return hash;
  }
  const step = (length - 8) >> 2;
  for (let k = 0; k < 5; k++) {
    const at = k === 4 ? end - 8 : start + k * step;
    for (let i = at; i < at + 8; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
  }
  return hash;
}

/** A number from the first bytes of buf[start:end] (at most 160: where an object's kind, name and namespace are). */
function prefixHash(buf: Buffer, start: number, end: number): number {
  const limit = Math.min(end, start + 160);
  let hash = Math.imul(limit - start, 0x9e3779b1);
  for (let i = start; i < limit; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
  return hash;
}

const EMPTY_INDEX = new Int32Array(0);

/** Slots a lookup probes at most: values alike at every sampled byte cannot make lookups slow (the last ones are just not cached). */
const MAX_PROBES = 8;

/**
 * A cache keyed by bytes still in a buffer (secretBase64At's, and the detector-clean values'). The
 * values' bytes sit in one arena and the index in typed arrays, so a lookup (10,000 per LIST of
 * 5,000 Secrets, most of them hits) reads a few cache lines instead of chasing a Map bucket, an
 * entry object and a Buffer per value. A `tag` tells apart keys of different namespaces (detector
 * sets). Cleared whole when full.
 */
class BytesCache<V> {
  private arena = Buffer.alloc(0);
  private used = 0;
  private count = 0;
  // Made at the first entry (an engine that never masks a list keeps none of this): 0.9 MB.
  private slots = EMPTY_INDEX;
  private hashes = EMPTY_INDEX;
  private tags = EMPTY_INDEX;
  private offsets = EMPTY_INDEX;
  private lengths = EMPTY_INDEX;
  private readonly entries: (V | undefined)[] = [];

  /** The entry for exactly buf[start:end]. */
  get(buf: Buffer, start: number, end: number, hash: number, tag = 0): V | undefined {
    return this.find(buf, start, end - start, hash, tag);
  }

  /** An entry whose bytes buf holds at `start`, whatever its length (`hash` is of what it begins with). */
  getAt(buf: Buffer, start: number, hash: number, tag: number): V | undefined {
    return this.find(buf, start, -1, hash, tag);
  }

  /** The entry whose bytes buf holds at `start`: `length` of them, or (-1) as many as the entry has. */
  private find(buf: Buffer, start: number, length: number, hash: number, tag: number): V | undefined {
    if (this.count === 0) return undefined;
    const mask = BYTES_CACHE_SLOTS - 1;
    let slot = hash & mask;
    for (let probe = 0; probe < MAX_PROBES; probe++, slot = (slot + 1) & mask) {
      const e = (this.slots[slot] as number) - 1;
      if (e < 0) return undefined;
      const entryLength = this.lengths[e] as number;
      if (this.hashes[e] !== hash || this.tags[e] !== tag || (length >= 0 ? entryLength !== length : start + entryLength > buf.length)) continue;
      const offset = this.offsets[e] as number;
      if (buf.compare(this.arena, offset, offset + entryLength, start, start + entryLength) === 0) return this.entries[e];
    }
    return undefined;
  }

  set(buf: Buffer, start: number, end: number, hash: number, entry: V, tag = 0): void {
    const length = end - start;
    if (length > BYTES_CACHE_MAX_VALUE) return;
    if (this.slots === EMPTY_INDEX) {
      this.slots = new Int32Array(BYTES_CACHE_SLOTS);
      this.hashes = new Int32Array(BYTES_CACHE_SIZE);
      this.tags = new Int32Array(BYTES_CACHE_SIZE);
      this.offsets = new Int32Array(BYTES_CACHE_SIZE);
      this.lengths = new Int32Array(BYTES_CACHE_SIZE);
    }
    if (this.count >= BYTES_CACHE_SIZE || this.used + length > BYTES_CACHE_ARENA) this.clear();
    const mask = BYTES_CACHE_SLOTS - 1;
    let slot = hash & mask;
    let probe = 0;
    while (this.slots[slot] !== 0 && probe < MAX_PROBES) {
      slot = (slot + 1) & mask;
      probe++;
    }
    if (probe === MAX_PROBES) return;
    if (this.used + length > this.arena.length) {
      // The arena only ever serves comparisons (no view of it is handed out), so it is grown by copying.
      const grown = Buffer.allocUnsafe(Math.min(BYTES_CACHE_ARENA, Math.max(1024 * 1024, this.arena.length * 2, this.used + length)));
      this.arena.copy(grown, 0, 0, this.used);
      this.arena = grown;
    }
    buf.copy(this.arena, this.used, start, end);
    const e = this.count++;
    this.hashes[e] = hash;
    this.tags[e] = tag;
    this.offsets[e] = this.used;
    this.lengths[e] = length;
    this.entries[e] = entry;
    this.used += length;
    this.slots[slot] = e + 1;
  }

  private clear(): void {
    this.slots.fill(0);
    this.entries.length = 0;
    this.count = 0;
    this.used = 0;
  }
}

/** The bytes a Secret data value stands for (canonical base64), else its text. */
export function decodeBase64Value(text: string): Buffer {
  const decoded = Buffer.from(text, "base64");
  return decoded.toString("base64") === text ? decoded : Buffer.from(text, "utf8");
}
