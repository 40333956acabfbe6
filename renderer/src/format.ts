// Display formatting shared by the views.

/** An ISO timestamp in the viewer's locale and time zone; the raw text if it does not parse. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
