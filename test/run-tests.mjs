// Runs every compiled test file (`*.test.js` under dist/) with Node's own test runner.
// A script rather than a glob on the command line: Node 20 and 22 read `--test` arguments differently.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function collect(dir, out) {
  for (const entry of readdirSync(dir)) {
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (entry.endsWith(".test.js")) out.push(full);
  }
  return out;
}

const filter = process.argv.slice(2);
const files = collect("dist", []).filter((f) => filter.length === 0 || filter.some((p) => f.includes(p))).sort();
if (files.length === 0) {
  console.error("run-tests: no test files found under dist/ (did the build run?)");
  process.exit(1);
}
const result = spawnSync(process.execPath, ["--test", "--test-concurrency=2", "--test-timeout=600000", "--test-reporter=spec", ...files], {
  stdio: "inherit",
});
process.exit(result.status ?? 1);
