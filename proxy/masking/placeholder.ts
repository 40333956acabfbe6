// Placeholders: what an agent sees instead of a secret value.
//
//   chaperone-masked-<22 base32 characters>         (39 ASCII characters)
//
// The 22 characters are the first 110 bits of HMAC-SHA256(key, "chaperone-mask-v1\0" ‖ value)
// under the installation's masking key: the same value always gets the same placeholder (so diffs,
// `kubectl apply` and change detection keep working), a different value a different one, and
// without the key nobody can confirm a guess. The length is fixed, so it does not leak the
// value's length either. In a Secret's `data` (base64 on the wire) the placeholder is
// base64-encoded, so the field stays valid and `base64 -d` prints the placeholder.
//
// The text is plain ASCII letters, digits and dashes: it survives JSON, YAML, shells and URLs
// unescaped, so a placeholder an agent copies into a write is found again byte for byte.
import { createHmac } from "node:crypto";

export const PLACEHOLDER_PREFIX = "chaperone-masked-";
export const PLACEHOLDER_TAG_LENGTH = 22;
export const PLACEHOLDER_LENGTH = PLACEHOLDER_PREFIX.length + PLACEHOLDER_TAG_LENGTH;
/** One placeholder in text; group 1 is its tag. */
export const PLACEHOLDER_PATTERN = /chaperone-masked-([a-z2-7]{22})/g;

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const DOMAIN = Buffer.from("chaperone-mask-v1\0", "latin1");
/** Values cached per generation; two generations keep the recent ones (see TwoGenerationCache). */
const CACHE_GENERATION = 16_384;
/** Longer values are not cached (their keys would cost more memory than the HMAC saves). */
const MAX_CACHED_LENGTH = 8_192;

function base32(bytes: Buffer, chars: number): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (let i = 0; out.length < chars; i++) {
    buffer = ((buffer << 8) | (bytes[i] ?? 0)) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/**
 * A bounded cache that costs one Map lookup on the hot path: when the current generation fills,
 * it becomes the previous one and the one before is dropped. A hit in the previous generation is
 * promoted, so whatever is still in use survives.
 */
export class TwoGenerationCache<V> {
  private current = new Map<string, V>();
  private previous = new Map<string, V>();
  constructor(private readonly generation: number) {}

  get(key: string): V | undefined {
    const hit = this.current.get(key);
    if (hit !== undefined) return hit;
    const old = this.previous.get(key);
    if (old !== undefined) this.set(key, old);
    return old;
  }

  set(key: string, value: V): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }
}

/** A placeholder for a value given as base64 (Secret `data`): the plain form and its base64 text. */
export interface Base64Placeholder {
  placeholder: string;
  /** base64 of the placeholder: what the field holds instead of the value. */
  base64: string;
  /** The value's bytes; null on a cache hit (the value was indexed when first seen). */
  value: Buffer | null;
  /** The base64 text as a quoted JSON string, filled in by the streaming masker on first use. */
  quoted?: Buffer;
}

export class Placeholders {
  private readonly base64Cache = new TwoGenerationCache<Base64Placeholder>(CACHE_GENERATION);
  private readonly textCache = new TwoGenerationCache<string>(CACHE_GENERATION);

  constructor(private readonly key: Buffer) {
    if (key.length < 16) throw new Error("the masking key must be at least 16 bytes");
  }

  /** The placeholder of a value given as bytes. */
  forBytes(value: Buffer): string {
    const mac = createHmac("sha256", this.key).update(DOMAIN).update(value).digest();
    return PLACEHOLDER_PREFIX + base32(mac, PLACEHOLDER_TAG_LENGTH);
  }

  /** The placeholder of a text value (its UTF-8 bytes: the same value as in `data`). */
  forText(value: string): string {
    if (value.length > MAX_CACHED_LENGTH) return this.forBytes(Buffer.from(value, "utf8"));
    let placeholder = this.textCache.get(value);
    if (placeholder === undefined) {
      placeholder = this.forBytes(Buffer.from(value, "utf8"));
      this.textCache.set(value, placeholder);
    }
    return placeholder;
  }

  /**
   * The placeholder of a base64 field value. The cache is keyed by the base64 text itself, so a
   * Secret listed again costs one lookup, not a decode and an HMAC.
   */
  forBase64(text: string): Base64Placeholder {
    const hit = text.length <= MAX_CACHED_LENGTH ? this.base64Cache.get(text) : undefined;
    if (hit) return hit.value === null ? hit : { ...hit, value: null };
    // Kubernetes only ever sends canonical base64; anything else is masked as the text it is.
    const decoded = Buffer.from(text, "base64");
    const value = decoded.toString("base64") === text ? decoded : Buffer.from(text, "utf8");
    const placeholder = this.forBytes(value);
    const result: Base64Placeholder = { placeholder, base64: Buffer.from(placeholder, "latin1").toString("base64"), value };
    if (text.length <= MAX_CACHED_LENGTH) this.base64Cache.set(text, { ...result, value: null });
    return result;
  }
}

/** The tags of every placeholder in `text`, in order. */
export function placeholderTags(text: string): string[] {
  const tags: string[] = [];
  PLACEHOLDER_PATTERN.lastIndex = 0;
  for (let m = PLACEHOLDER_PATTERN.exec(text); m; m = PLACEHOLDER_PATTERN.exec(text)) tags.push(m[1] as string);
  return tags;
}

export function tagOf(placeholder: string): string {
  return placeholder.slice(PLACEHOLDER_PREFIX.length);
}

/**
 * The fixed cores of the placeholder prefix in base64 (standard and URL alphabets) at each of the
 * three byte alignments: a placeholder inside any base64 text contains one of them. Used to make
 * sure no encoded placeholder slips through a write.
 */
export const ENCODED_PREFIX_CORES: readonly string[] = (() => {
  const prefix = Buffer.from(PLACEHOLDER_PREFIX, "latin1");
  const cores = new Set<string>();
  for (let align = 0; align < 3; align++) {
    // Bytes of the prefix that fill whole base64 groups at this alignment.
    const skip = align === 0 ? 0 : 3 - align;
    const usable = Math.floor((prefix.length - skip) / 3) * 3;
    const core = prefix.subarray(skip, skip + usable);
    cores.add(core.toString("base64"));
    cores.add(core.toString("base64url"));
  }
  return [...cores];
})();

const ENCODED_CORE_BUFFERS = [Buffer.from(PLACEHOLDER_PREFIX, "latin1"), ...ENCODED_PREFIX_CORES.map((c) => Buffer.from(c, "latin1"))];

/** Whether these bytes hold a placeholder, plain or base64-encoded at any alignment. */
export function containsPlaceholder(bytes: Buffer): boolean {
  for (const needle of ENCODED_CORE_BUFFERS) if (bytes.includes(needle)) return true;
  return false;
}

/** Whether this text holds a placeholder, plain or base64-encoded at any alignment. */
export function textContainsPlaceholder(text: string): boolean {
  if (text.includes(PLACEHOLDER_PREFIX)) return true;
  for (const core of ENCODED_PREFIX_CORES) if (text.includes(core)) return true;
  return false;
}
