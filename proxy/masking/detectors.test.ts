import { test } from "node:test";
import assert from "node:assert/strict";
import { anchorPattern, BUILTIN_ANCHOR_BYTES, BUILTIN_DETECTORS, BUILTIN_DETECTOR_SET, compileDetector, DetectorSet } from "./detectors.js";

function masked(text: string, set = BUILTIN_DETECTOR_SET): string[] {
  return set.find(text).map((s) => text.slice(s.start, s.end));
}

test("each built-in detector finds what it documents, and only the secret part", () => {
  const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.c2lnbmF0dXJlLWJ5dGVz";
  const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\nabcdef==\n-----END RSA PRIVATE KEY-----";
  const cases: [string, string[]][] = [
    [`key: |\n  ${pem.replace(/\n/g, "\n  ")}\n`, [pem.replace(/\n/g, "\n  ")]],
    [`token ${jwt} end`, [jwt]],
    ["id AKIAIOSFODNN7EXAMPLE here", ["AKIAIOSFODNN7EXAMPLE"]],
    ["ghp_0123456789abcdefghijklmnopqrstuvwxyzAB", ["ghp_0123456789abcdefghijklmnopqrstuvwxyzAB"]],
    ["glpat-abcdefghij0123456789", ["glpat-abcdefghij0123456789"]],
    ["xoxb-1234567890-abcdef", ["xoxb-1234567890-abcdef"]],
    ["AIzaSyA1234567890abcdefghijklmnopqrstuv", ["AIzaSyA1234567890abcdefghijklmnopqrstuv"]],
    ["sk_live_4eC39HqLyjWDarjtT1zdp7dc", ["sk_live_4eC39HqLyjWDarjtT1zdp7dc"]],
    ["OPENAI=sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z7", ["sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z7"]],
    ["postgres://app:s3cr3t!@db:5432/app", ["s3cr3t!"]],
    ["Authorization: Bearer abcdefghijklmnop1234", ["abcdefghijklmnop1234"]],
    ["Server=db;User Id=sa;Password=Hunter22;", ["Hunter22"]],
    ["DB_PASSWORD=correct-horse", ["correct-horse"]],
    ['{"apiKey": "k-1234567890"}', ["k-1234567890"]],
    ["client_secret: abcdef123456", ["abcdef123456"]],
  ];
  for (const [text, expected] of cases) assert.deepEqual(masked(text), expected, text);
});

test("references, paths, templates and ordinary prose are left alone", () => {
  for (const text of [
    "secretName: my-tls-secret",
    "TOKEN_FILE=/var/run/secrets/token",
    "passwordRef: db-password",
    "password: ${DB_PASSWORD}",
    "tokenUrl: https://example.com/token",
    "the password is on the wiki",
    "disk-provisioner-controller-manager-abcdefghijklmnopqrstuvwxyz",
    "https://example.com:8443/path",
    "password: chaperone-masked-abcdefghijklmnopqrstuv",
  ]) {
    assert.deepEqual(masked(text), [], text);
  }
});

test("every built-in anchor contains one of the prefilter bytes, so the byte check never skips a match", () => {
  for (const detector of BUILTIN_DETECTORS) {
    for (const anchor of detector.anchors ?? []) {
      assert.ok([...Buffer.from(anchor, "latin1")].some((b) => BUILTIN_ANCHOR_BYTES.includes(b)), `${detector.name}: ${anchor}`);
    }
  }
  assert.equal(BUILTIN_DETECTOR_SET.mayMatchBytes(Buffer.alloc(1024)), false);
  assert.equal(BUILTIN_DETECTOR_SET.mayMatchBytes(Buffer.from("lowercase prose only\n")), false);
  assert.equal(BUILTIN_DETECTOR_SET.mayMatchBytes(Buffer.from("key: value")), true);
});

test("policy detectors compile, mask their group (or the whole match), and are refused when unusable", () => {
  const acme = compileDetector({ name: "acme", pattern: "acme_([a-z0-9]{8})" });
  assert.ok(typeof acme !== "string");
  const whole = compileDetector({ name: "whole", pattern: "ZZ[0-9]{4}", ignoreCase: true });
  assert.ok(typeof whole !== "string");
  const set = new DetectorSet([acme, whole]);
  assert.deepEqual(masked("id acme_ab12cd34 and zz1234", set), ["ab12cd34", "zz1234"]);
  assert.match(compileDetector({ name: "bad", pattern: "(" }) as string, /does not compile/);
  assert.match(compileDetector({ name: "empty", pattern: "a*" }) as string, /matches the empty string/);
});

test("the anchor regex finds exactly what a plain alternation of the anchors finds", () => {
  const anchors = [...new Set(BUILTIN_DETECTORS.flatMap((d) => d.anchors ?? []).filter((a) => a !== ":" && a !== "="))];
  const fast = anchorPattern(anchors);
  const plain = new RegExp(anchors.map((a) => a.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&")).join("|"));
  const alphabet = "-_/:BEGINeyJAKISCzghpousritb_patlx0kvesk-Bear \n";
  let seed = 42;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  for (let n = 0; n < 20_000; n++) {
    let text = "";
    const parts = 1 + random(12);
    for (let p = 0; p < parts; p++) text += random(3) === 0 ? (anchors[random(anchors.length)] as string).slice(random(3), 1 + random(12)) : (alphabet[random(alphabet.length)] as string);
    assert.equal(fast.test(text), plain.test(text), JSON.stringify(text));
  }
  for (const anchor of anchors) assert.ok(fast.test(`x ${anchor} y`), anchor);
});
