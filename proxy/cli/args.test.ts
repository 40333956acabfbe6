import { test } from "node:test";
import assert from "node:assert/strict";
import { parseArgs } from "./args.js";

const spec = { values: ["data-dir", "listen"], booleans: ["allow-remote"] };

test("values, booleans and positionals are parsed in either --flag value or --flag=value form", () => {
  const parsed = parseArgs(["claude", "--data-dir", "/d", "--listen=127.0.0.1:0", "--allow-remote"], spec, "x");
  assert.deepEqual(parsed.positionals, ["claude"]);
  assert.equal(parsed.values.get("data-dir"), "/d");
  assert.equal(parsed.values.get("listen"), "127.0.0.1:0");
  assert.ok(parsed.booleans.has("allow-remote"));
});

test("everything after -- is kept untouched, flags included", () => {
  const parsed = parseArgs(["--data-dir", "/d", "--", "kubectl", "--data-dir", "x"], spec, "x");
  assert.deepEqual(parsed.rest, ["kubectl", "--data-dir", "x"]);
});

test("unknown flags, missing values and values on booleans are errors", () => {
  assert.throws(() => parseArgs(["--nope"], spec, "cmd"), /cmd: unknown option --nope/);
  assert.throws(() => parseArgs(["-x"], spec, "cmd"), /unknown option -x/);
  assert.throws(() => parseArgs(["--listen"], spec, "cmd"), /--listen needs a value/);
  assert.throws(() => parseArgs(["--listen", "--allow-remote"], spec, "cmd"), /--listen needs a value/);
  assert.throws(() => parseArgs(["--allow-remote=yes"], spec, "cmd"), /takes no value/);
});
