// Whether a session's output is text: decides a recording's format (asciicast or binary) and how
// masking replaces a secret in an exec stream without a TTY (placeholder or same length), so the
// two agree on what a session is.
import { isUtf8 } from "node:buffer";

/** UTF-8 text without NUL; a multi-byte character cut at the end of the chunk still counts. */
export function looksLikeText(data: Buffer): boolean {
  if (data.includes(0)) return false;
  for (let cut = 0; cut <= 3 && cut < data.length; cut++) {
    if (isUtf8(data.subarray(0, data.length - cut))) return true;
  }
  return data.length === 0;
}
