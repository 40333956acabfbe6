import { test } from "node:test";
import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "./duration.js";
import { CliError } from "./cli-error.js";

test("durations take seconds, minutes, hours, days and combinations", () => {
  assert.equal(parseDuration("90s"), 90_000);
  assert.equal(parseDuration("10m"), 600_000);
  assert.equal(parseDuration("2h"), 7_200_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("1.5h"), 5_400_000);
  assert.equal(parseDuration(" 1D "), 86_400_000);
});

test("a duration without a unit is refused with the fix, not guessed", () => {
  assert.throws(() => parseDuration("10", "--for"), (error: unknown) => error instanceof CliError && /--for: "10" has no unit; write 10m/.test(error.message));
});

test("malformed, repeated-unit, too short and too long durations are refused in one line", () => {
  for (const [text, pattern] of [
    ["", /is not a duration/],
    ["ten minutes", /is not a duration/],
    ["10x", /is not a duration/],
    ["-5m", /is not a duration/],
    ["5m5m", /gives the unit "m" twice/],
    ["0s", /shorter than a second/],
    ["0.1s", /shorter than a second/],
    ["8d", /longer than the maximum of 7d/],
  ] as const) {
    assert.throws(
      () => parseDuration(text, "--for"),
      (error: unknown) => error instanceof CliError && pattern.test(error.message) && !error.message.includes("\n"),
      text,
    );
  }
});

test("durations print as their two largest units", () => {
  assert.equal(formatDuration(252_000), "4m12s");
  assert.equal(formatDuration(7_200_000), "2h");
  assert.equal(formatDuration(3_900_000), "1h5m");
  assert.equal(formatDuration(45_400), "45s");
  assert.equal(formatDuration(90_061_000), "1d1h");
  assert.equal(formatDuration(-5), "0s");
});
