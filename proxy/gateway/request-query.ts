// The query of a request target, read as the classifier and the API server read it: one place,
// so that everything acting on `tty`, `stdin`, `force` or `command` agrees with what the cluster
// will do with them.

/** The query of a request target, split exactly as the classifier split it. */
export function queryOf(url: string): URLSearchParams {
  const start = url.indexOf("?");
  // The leading "?" makes URLSearchParams strip exactly it (see classifyRequest's checkQuery).
  return new URLSearchParams(start < 0 ? "" : `?${url.slice(start + 1)}`);
}

/**
 * A boolean query parameter as the API server reads it (runtime.Convert_Slice_string_To_bool):
 * absent is false, "false" and "0" (any case) are false, anything else — "true", "1", "yes", even
 * "" — is true.
 */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  const lower = value.toLowerCase();
  return lower !== "false" && lower !== "0";
}
