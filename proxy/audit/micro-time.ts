// Kubernetes MicroTime as audit events carry it: RFC 3339 in UTC with six fractional digits.
// JavaScript clocks give milliseconds; the last three digits are zero.

// Events of one batch mostly share their second: the date-and-time part is cached per second.
let cachedSecond = NaN;
let cachedPrefix = "";

export function microTime(time: number): string {
  const ms = Math.trunc(time); // as Date does
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond || !Number.isFinite(second)) {
    const iso = new Date(time).toISOString(); // 2025-01-02T03:04:05.123Z
    if (iso.length !== 24) return `${iso.slice(0, -1)}000Z`; // years beyond 9999: no cache
    cachedSecond = second;
    cachedPrefix = iso.slice(0, 20); // 2025-01-02T03:04:05.
  }
  const millis = ms - second * 1000;
  return `${cachedPrefix}${millis < 10 ? "00" : millis < 100 ? "0" : ""}${Math.floor(millis)}000Z`;
}

/** Milliseconds since the epoch for a MicroTime (or any RFC 3339 time); NaN when it is not one. */
export function parseMicroTime(text: string): number {
  return Date.parse(text);
}
