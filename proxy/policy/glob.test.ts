import { test } from "node:test";
import assert from "node:assert/strict";
import { GlobSet, globProblem } from "./glob.js";

test("a glob without wildcards matches only itself", () => {
  const set = new GlobSet(["dev"]);
  assert.deepEqual(["dev", "dev-1", "de", ""].map((v) => set.matches(v)), [true, false, false, false]);
});

test("* matches any run of characters, including none, dots and slashes", () => {
  assert.ok(new GlobSet(["*"]).matches(""));
  const prefix = new GlobSet(["dev-*"]);
  assert.deepEqual(["dev-", "dev-a.b/c", "dev", "xdev-a"].map((v) => prefix.matches(v)), [true, true, false, false]);
  const suffix = new GlobSet(["*.example.com"]);
  assert.deepEqual(["a.example.com", ".example.com", "example.com"].map((v) => suffix.matches(v)), [true, true, false]);
  const middle = new GlobSet(["a*b*c"]);
  assert.deepEqual(["abc", "aXbYc", "ab", "acb"].map((v) => middle.matches(v)), [true, true, false, false]);
});

test("? matches exactly one character", () => {
  const set = new GlobSet(["web-?"]);
  assert.deepEqual(["web-1", "web-", "web-12"].map((v) => set.matches(v)), [true, false, false]);
});

test("regex metacharacters in a glob are literal", () => {
  const set = new GlobSet(["a.b+(c)|d$*"]);
  assert.ok(set.matches("a.b+(c)|d$xyz"));
  assert.ok(!set.matches("aXb+(c)|d$"));
});

test("a list matches when any of its globs does", () => {
  const set = new GlobSet(["get", "list", "w*", "*-x", "?"]);
  assert.deepEqual(["get", "list", "watch", "a-x", "z", "create"].map((v) => set.matches(v)), [true, true, true, true, true, false]);
});

test("spaces, control characters, [ ] { } \\ and a leading ! are rejected", () => {
  for (const bad of ["a b", "a\tb", "[ab]", "{a,b}", "a\\*", "!dev"]) assert.ok(globProblem(bad), bad);
  for (const good of ["", "*", "dev-*", "system:serviceaccount:*", "a?c", "/apis/*"]) assert.equal(globProblem(good), undefined, good);
});
