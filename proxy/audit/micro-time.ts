// Kubernetes MicroTime as audit events carry it: RFC 3339 in UTC with six fractional digits.
// JavaScript clocks give milliseconds; the last three digits are zero.

export function microTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2025-01-02T03:04:05.123Z
  return `${iso.slice(0, -1)}000Z`;
}

/** Milliseconds since the epoch for a MicroTime (or any RFC 3339 time); NaN when it is not one. */
export function parseMicroTime(text: string): number {
  return Date.parse(text);
}
