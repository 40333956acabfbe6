import { test } from "node:test";
import assert from "node:assert/strict";
import { safeLine, safeLines, shellQuote } from "./terminal-text.js";

test("escape sequences and bidi overrides from an agent are shown, not interpreted", () => {
  assert.equal(safeLine("web\u001b[2K\rallowed"), "web\\x1b[2K\\x0dallowed");
  assert.equal(safeLine("a\nb\tc\u009b"), "a\\nb\\tc\\x9b");
  assert.equal(safeLine("rm \u202efdp.exe"), "rm \\u202efdp.exe");
  assert.deepEqual(safeLines("+ a: 1\r\n- b:\u0007 2\n"), ["+ a: 1", "- b:\\x07 2", ""]);
});

test("exec arguments are quoted as a shell would need them", () => {
  assert.equal(["sh", "-c", "echo hi; rm -rf /", "it's", ""].map(shellQuote).join(" "), `sh -c 'echo hi; rm -rf /' 'it'\\''s' ''`);
});
