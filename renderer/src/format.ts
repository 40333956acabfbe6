// Display formatting shared by the views.
import { formatDuration as formatSharedDuration } from "../../proxy/cli/duration.js";

/** An ISO timestamp in the viewer's locale and time zone; the raw text if it does not parse. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** Just the time when it is today, else the date and time: for "asked at …" on a live page. */
export function formatMoment(iso: string, now = Date.now()): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toDateString() === new Date(now).toDateString() ? date.toLocaleTimeString() : date.toLocaleString();
}

/** `4m 12s`, `2h 5m`, `45s`: the CLI's formatting, rounded up for countdowns. */
export function formatDuration(ms: number): string {
  return formatSharedDuration(ms, { separator: " ", roundUp: true });
}

/** Milliseconds from `now` until an ISO timestamp; null if it does not parse. */
export function msUntil(iso: string, now: number): number | null {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? null : at - now;
}
