import { test } from "node:test";
import assert from "node:assert/strict";
import { parseListenAddress, assertListenAllowed, isLoopbackHost } from "./listen-address.js";

test("HOST:PORT forms parse, including bracketed IPv6 and localhost", () => {
  assert.deepEqual(parseListenAddress("127.0.0.1:16443"), { host: "127.0.0.1", port: 16443 });
  assert.deepEqual(parseListenAddress("[::1]:0"), { host: "::1", port: 0 });
  assert.deepEqual(parseListenAddress("localhost:8080"), { host: "127.0.0.1", port: 8080 });
});

test("malformed addresses and out-of-range ports are refused", () => {
  for (const bad of ["127.0.0.1", ":80", "host:99999", "127.0.0.1:-1", "a:b"]) assert.throws(() => parseListenAddress(bad), /--listen/, bad);
});

test("non-loopback addresses need --allow-remote", () => {
  assert.ok(isLoopbackHost("127.0.0.2") && isLoopbackHost("::1"));
  assert.ok(!isLoopbackHost("0.0.0.0") && !isLoopbackHost("192.168.1.5") && !isLoopbackHost("::"));
  assert.throws(() => assertListenAllowed({ host: "0.0.0.0", port: 1 }, false), /--allow-remote/);
  assert.doesNotThrow(() => assertListenAllowed({ host: "0.0.0.0", port: 1 }, true));
});
