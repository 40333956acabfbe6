// The masking of one string, by action: shared by the streaming JSON masker, the object masker
// and the write-back check. Every value masked is remembered in the known-values index, so the
// same secret is also masked where it turns up later in a log or a terminal.
import { Placeholders, PLACEHOLDER_PATTERN, type Base64Placeholder } from "./placeholder.js";

/** Values secretBase64At remembers (cleared whole when full: a list of Secrets seen again is the case it serves). */
const BYTES_CACHE_SIZE = 32_768;
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

export class Masker {
  readonly placeholders: Placeholders;
  readonly known: KnownSecretValues;
  /** secretBase64At's cache: by a hash of the value's ends, confirmed by comparing bytes. */
  private readonly bytesCache = new Map<number, { raw: Buffer; entry: Base64Placeholder }[]>();

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
   * short key — the first and last bytes and the length — and confirmed by comparing bytes, so a
   * Secret seen before costs neither a string of its value nor hashing it.
   */
  secretBase64At(buf: Buffer, start: number, end: number): Base64Placeholder {
    const length = end - start;
    // A number from the length and up to 8 bytes at each end (the bytes compare settles collisions): no string is made on the hot path.
    let hash = Math.imul(length, 0x9e3779b1);
    const head = Math.min(length, 8);
    for (let i = start; i < start + head; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    for (let i = Math.max(start + head, end - 8); i < end; i++) hash = Math.imul(hash ^ (buf[i] as number), 0x01000193);
    const bucket = this.bytesCache.get(hash);
    if (bucket !== undefined) {
      for (const hit of bucket) {
        if (hit.raw.length === length && buf.compare(hit.raw, 0, length, start, end) === 0) return hit.entry;
      }
    }
    const text = buf.toString("latin1", start, end);
    const entry = this.secretBase64Entry(text);
    if (length <= 8_192) {
      const cached = { raw: Buffer.from(buf.subarray(start, end)), entry: entry.value === null ? entry : { ...entry, value: null } };
      if (bucket === undefined || this.bytesCache.size >= BYTES_CACHE_SIZE) {
        if (this.bytesCache.size >= BYTES_CACHE_SIZE) this.bytesCache.clear();
        this.bytesCache.set(hash, [cached]);
      } else bucket.push(cached);
    }
    return entry;
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
    const spans = detectors.find(out);
    if (spans.length === 0) return out;
    // Never mask a placeholder again (a detector for `password=…` would otherwise match one).
    const existing = out.includes("chaperone-masked-") ? placeholderSpans(out) : [];
    let result = "";
    let at = 0;
    for (const span of spans) {
      if (existing.length > 0 && overlapsAny(span, existing)) continue;
      const secret = out.slice(span.start, span.end);
      const bytes = Buffer.from(secret, "utf8");
      const placeholder = this.placeholders.forBytes(bytes);
      this.known.add(bytes, placeholder);
      onReplace?.(placeholder, bytes);
      result += out.slice(at, span.start) + placeholder;
      at = span.end;
    }
    return at === 0 ? out : result + out.slice(at);
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
    const spans = detectors.find(out);
    if (spans.length === 0) return out;
    const existing = placeholderSpans(out);
    let result = "";
    let at = 0;
    for (const span of spans) {
      if (overlapsAny(span, existing)) continue;
      const bytes = Buffer.from(out.slice(span.start, span.end), "latin1");
      const placeholder = this.placeholders.forBytes(bytes);
      this.known.add(bytes, placeholder);
      onReplace?.(placeholder, bytes);
      result += out.slice(at, span.start) + placeholder;
      at = span.end;
    }
    return at === 0 ? out : result + out.slice(at);
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

/** The bytes a Secret data value stands for (canonical base64), else its text. */
export function decodeBase64Value(text: string): Buffer {
  const decoded = Buffer.from(text, "base64");
  return decoded.toString("base64") === text ? decoded : Buffer.from(text, "utf8");
}
