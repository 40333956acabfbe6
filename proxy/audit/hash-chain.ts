// The tamper-evident chain. Every event carries three annotations, as its last keys:
//   chaperone.dev/seq   its position in the whole log (0, 1, 2, … across rotated files)
//   chaperone.dev/prev  the hash of the event before it ("sha256:000…" for the first event ever)
//   chaperone.dev/hash  its own hash: SHA-256 of the event serialized without this annotation
// Editing an event breaks its own hash (the verifier names that line); removing, inserting or
// reordering lines breaks `seq` and `prev` at the first line that no longer follows. Recomputing
// every later hash defeats a chain kept on the same disk, which is why `chaperone audit verify`
// prints the head hash: anchor it elsewhere to make the whole history tamper-evident.
import { hash } from "node:crypto";
import { ANNOTATION, type AuditEvent } from "./audit-event.js";

export const GENESIS_HASH = `sha256:${"0".repeat(64)}`;

export interface ChainPosition {
  /** The seq of the last event written; -1 before the first. */
  seq: number;
  hash: string;
}

export const CHAIN_START: ChainPosition = Object.freeze({ seq: -1, hash: GENESIS_HASH });

function sha256(text: string): string {
  // One call, no Hash object per event.
  return `sha256:${hash("sha256", text, "hex")}`;
}

/**
 * An event serialized once, when it is appended: its JSON text without the chain annotations.
 * `annotations` must be the event's last key and hold at least one entry (AuditEvent builders
 * keep both true), so the chain keys can be appended to the text.
 */
export function serializeUnchained(event: AuditEvent): string {
  const annotations = event.annotations as Record<string, string>;
  delete annotations[ANNOTATION.seq];
  delete annotations[ANNOTATION.prev];
  delete annotations[ANNOTATION.hash];
  const text = JSON.stringify(event);
  if (!text.endsWith('"}}') || text.endsWith("{}}")) throw new Error("an audit event must end with non-empty annotations");
  return text;
}

/**
 * Links a serialized event after `previous`: appends seq and prev, hashes that text, appends the
 * hash. The result is exactly JSON.stringify of the event with the three keys added last, which
 * is what the verifier recomputes. Cheap: no serialization, one SHA-256.
 */
export function chainSerialized(unchained: string, previous: ChainPosition): { line: string; position: ChainPosition } {
  const seq = previous.seq + 1;
  const unsigned = `${unchained.slice(0, -2)},"${ANNOTATION.seq}":"${seq}","${ANNOTATION.prev}":"${previous.hash}"}}`;
  const hash = sha256(unsigned);
  return { line: `${unsigned.slice(0, -2)},"${ANNOTATION.hash}":"${hash}"}}`, position: { seq, hash } };
}

/** serializeUnchained + chainSerialized, for callers holding an event object. */
export function chainEvent(event: AuditEvent, previous: ChainPosition): { line: string; position: ChainPosition } {
  return chainSerialized(serializeUnchained(event), previous);
}

export interface LinkFacts {
  seq: number;
  prev: string;
  hash: string;
  /** True when the line's content matches its own hash. */
  intact: boolean;
  auditID: string;
}

/** Reads the chain annotations of one log line; null when the line is not an event with a chain. */
export function readLink(line: string): LinkFacts | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof parsed !== "object" || parsed === null) return null;
  const event = parsed as { annotations?: Record<string, unknown>; auditID?: unknown };
  const annotations = event.annotations;
  if (!annotations || typeof annotations !== "object") return null;
  const seqText = annotations[ANNOTATION.seq];
  const prev = annotations[ANNOTATION.prev];
  const hash = annotations[ANNOTATION.hash];
  if (typeof seqText !== "string" || !/^\d+$/.test(seqText) || typeof prev !== "string" || typeof hash !== "string") return null;
  delete annotations[ANNOTATION.hash];
  const intact = sha256(JSON.stringify(parsed)) === hash;
  return { seq: Number(seqText), prev, hash, intact, auditID: typeof event.auditID === "string" ? event.auditID : "" };
}
