// The CLI's error contract: one line on stderr, starting "chaperone: ", a non-zero exit, no stack.
import assert from "node:assert/strict";

export function assertOneLineError(result: { code: number | null; stderr: string }, pattern: RegExp): void {
  assert.notEqual(result.code, 0);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
  assert.match(lines[0] as string, /^chaperone: /);
  assert.match(lines[0] as string, pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
}
