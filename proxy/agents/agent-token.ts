// Agent tokens: `chp_<id>_<secret>`. The id finds the record; only a SHA-256 of the secret is
// stored, and it is compared with timingSafeEqual so response time says nothing about the secret.
import { randomBytes, hash, timingSafeEqual } from "node:crypto";

const TOKEN_PATTERN = /^chp_([A-Za-z0-9_-]{16})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  token: string;
  id: string;
  hash: string;
}

export function hashSecret(secret: string): string {
  return hash("sha256", secret, "hex");
}

export function issueToken(): IssuedToken {
  const id = randomBytes(12).toString("base64url"); // 16 chars
  const secret = randomBytes(32).toString("base64url"); // 256 bits, 43 chars
  return { token: `chp_${id}_${secret}`, id, hash: hashSecret(secret) };
}

export function parseToken(token: string): { id: string; secret: string } | null {
  const match = TOKEN_PATTERN.exec(token);
  if (!match) return null;
  return { id: match[1] as string, secret: match[2] as string };
}

/** `stored`: the hex hash from the registry, decoded (once per registry load). */
export function secretMatches(secret: string, stored: Buffer): boolean {
  // One-shot: no Hash object per request.
  const presented = hash("sha256", secret, "buffer");
  return presented.length === stored.length && timingSafeEqual(presented, stored);
}
