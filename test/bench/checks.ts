// The targets as checks: measured figure, goal, met or not. Reported, never asserted: the
// suite does not fail the build.
import type { Check } from "./scenario.js";

export function atMost(goal: string, actual: number, limit: number, format: (v: number) => string): Check {
  return { goal, actual: Number.isFinite(actual) ? format(actual) : "n/a", met: Number.isFinite(actual) ? actual <= limit : null };
}

export function atLeast(goal: string, actual: number, limit: number, format: (v: number) => string): Check {
  return { goal, actual: Number.isFinite(actual) ? format(actual) : "n/a", met: Number.isFinite(actual) ? actual >= limit : null };
}

export const ms = (v: number): string => `${v.toFixed(3)} ms`;
export const times = (v: number): string => `×${v.toFixed(2)}`;
export const percent = (v: number): string => `${(v * 100).toFixed(0)} %`;
export const count = (v: number): string => Math.round(v).toLocaleString("en-US");

/** A figure the Targets table shows without judging it: the issue wants it known, not bounded. */
export function figure(goal: string, actual: number, format: (v: number) => string): Check {
  return { goal, actual: Number.isFinite(actual) ? format(actual) : "n/a", met: null, noTarget: true };
}
