// The engine must see what it masks: a response that may carry a secret is asked for as JSON.
// Protobuf and CBOR media ranges in the agent's Accept are turned into their JSON equivalents
// (keeping `as=Table;g=…;v=…`, so a protobuf client asking for a Table gets a JSON Table), YAML
// and wildcards into plain JSON. client-go decodes by the response's Content-Type, so a client
// that offered protobuf reads the JSON answer just as well.

/** application/json plus its parameters (as, g, v, stream…), in the order given. */
function asJson(range: string): string {
  const [, ...params] = range.split(";");
  const kept = params.map((p) => p.trim()).filter((p) => p !== "" && !/^(q|charset)=/i.test(p));
  return ["application/json", ...kept].join(";");
}

export function jsonOnlyAccept(accept: string | undefined): string {
  if (!accept || accept.trim() === "") return "application/json";
  const out: string[] = [];
  for (const raw of accept.split(",")) {
    const range = raw.trim();
    if (range === "") continue;
    const type = (range.split(";")[0] ?? "").trim().toLowerCase();
    let json: string;
    if (type === "application/json" || type === "application/vnd.kubernetes.protobuf" || type === "application/cbor" || type === "application/yaml") json = asJson(range);
    else json = "application/json";
    if (!out.includes(json)) out.push(json);
  }
  if (!out.includes("application/json")) out.push("application/json");
  return out.join(",");
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}
