// What a request asks for, in the API server's own terms: a port of Kubernetes' RequestInfo
// resolver (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go, read at kubernetes/kubernetes
// commit db8b216c556cbd896ffb49a0a7bf13443230d18c), plus the refusals a gateway needs on top.
//
// The gateway forwards the agent's request target byte for byte, so the classification here must
// be the one the API server will itself make. Two things follow:
//  - the Kubernetes rules are mirrored exactly (namespace subresources, the deprecated /watch/ and
//    /proxy/ path verbs, the lenient `watch` parsing, fieldSelector metadata.name naming);
//  - anything two parsers could read differently (dot segments, encoded separators, duplicate
//    parameters, Go vs WHATWG query splitting) is refused before a policy ever sees it.
// A few rules are deliberately stricter than Kubernetes; each says why where it is enforced.
import type { IncomingHttpHeaders } from "node:http";

export type ResourceVerb =
  | "get"
  | "list"
  | "watch"
  | "create"
  | "update"
  | "patch"
  | "delete"
  | "deletecollection"
  | "exec"
  | "attach"
  | "portforward"
  | "proxy";

export interface ResourceRequestInfo {
  kind: "resource";
  verb: ResourceVerb;
  apiPrefix: "api" | "apis";
  /** "" for the core group. */
  apiGroup: string;
  apiVersion: string;
  /** "" when cluster-scoped or across all namespaces. For namespaces themselves, the namespace's own name (as Kubernetes does). */
  namespace: string;
  resource: string;
  /** "" when none. */
  subresource: string;
  /** "" when none (a fieldSelector metadata.name=X on list/watch sets it, as Kubernetes does). */
  name: string;
  /** The decoded path, as classified. */
  path: string;
  /** As RequestInfo.Parts: resource/name/subresource/anything-after, relative to the resource. */
  parts: string[];
}

export interface NonResourceRequestInfo {
  kind: "nonResource";
  /** Lower-case HTTP method, as Kubernetes does for non-resource URLs. */
  verb: "get" | "head" | "post" | "put" | "patch" | "delete" | "options";
  path: string;
  /**
   * True for the paths a Kubernetes client legitimately uses (discovery, OpenAPI, health, OIDC
   * discovery, metrics), and only for GET/HEAD: none of them accepts a write, so a POST to
   * /version is not a shape a client produces. Anything else: false (the gateway denies it).
   */
  known: boolean;
}

export interface RefusedRequestInfo {
  kind: "refused";
  /** A sentence an agent's kubectl will print. */
  reason: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

/**
 * Longest request target (path plus query) accepted. kubectl's longest ordinary URLs (exec with a
 * long command, list with a continue token and selectors) stay well under 2 KiB; 8 KiB matches
 * the request-line limit of common proxies, so nothing legitimate gets near it.
 */
export const MAX_REQUEST_URL_LENGTH = 8192;

const METHOD_VERBS: Readonly<Record<string, ResourceVerb>> = {
  POST: "create",
  GET: "get",
  HEAD: "get",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

const NON_RESOURCE_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

// Kubernetes' specialVerbs / specialVerbsNoSubresources / namespaceSubresources.
const PATH_VERBS = new Set(["proxy", "watch"]);
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);

/**
 * Subresources that open a stream into a workload. Kubernetes calls a WebSocket exec `get` and a
 * SPDY exec `create`; a policy has to see one verb for one action, whatever the transport.
 */
const STREAMING_SUBRESOURCE_VERBS: Readonly<Record<string, ResourceVerb>> = {
  exec: "exec",
  attach: "attach",
  portforward: "portforward",
  proxy: "proxy",
};

/** Verbs whose requests legitimately switch protocols (WebSocket or SPDY). */
const UPGRADE_VERBS = new Set<ResourceVerb>(["exec", "attach", "portforward", "proxy", "watch"]);

/**
 * Headers some frameworks and proxies honor to replace the HTTP method. Kubernetes ignores them,
 * but the verb here is derived from the method, so a hop that did honor one would act on a
 * different verb than the one the policy approved.
 */
const METHOD_OVERRIDE_HEADERS = ["x-http-method-override", "x-http-method", "x-method-override"];

// RFC 3986 pchar without pct-encoded: unreserved / sub-delims / ":" / "@".
const PCHAR = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@";
const PATH_RAW_CHARS = charTable(PCHAR + "/%");
const PATH_DECODED_CHARS = charTable(PCHAR);
// RFC 3986 query is *( pchar / "/" / "?" ), minus ";": Go's url.ParseQuery (which the API server
// uses) drops any parameter containing ";" while URLSearchParams keeps it, so the two would
// disagree about which parameters exist. client-go always encodes ";" as %3B.
const QUERY_RAW_CHARS = charTable(PCHAR.replace(";", "") + "/?%");

const GROUP_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VERSION_NAME = /^(?=.{1,63}$)[a-z]([-a-z0-9]*[a-z0-9])?$/;

function charTable(chars: string): boolean[] {
  const table = new Array<boolean>(128).fill(false);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = true;
  return table;
}

function allowed(table: boolean[], code: number): boolean {
  return table[code] === true;
}

function refused(reason: string): RefusedRequestInfo {
  return { kind: "refused", reason };
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(2, "0");
}

/** Names a character for a reason without echoing control characters into a terminal or log. */
function describeChar(code: number): string {
  if (code === 0x20) return "a space";
  if (code < 0x20 || code === 0x7f) return `a control character (0x${hex(code)})`;
  return `"${String.fromCharCode(code)}"`;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  return -1;
}

/** The byte a valid %XY escape at `i` stands for, or -1. */
function escapedByte(s: string, i: number): number {
  if (i + 2 >= s.length) return -1;
  const hi = hexValue(s.charCodeAt(i + 1));
  const lo = hexValue(s.charCodeAt(i + 2));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

/** Characters no request target may contain anywhere, raw. */
function checkRawTarget(rawUrl: string): RefusedRequestInfo | undefined {
  for (let i = 0; i < rawUrl.length; i++) {
    const code = rawUrl.charCodeAt(i);
    if (code === 0) return refused("the request URL contains a NUL byte");
    if (code < 0x20 || code === 0x7f) return refused(`the request URL contains ${describeChar(code)}`);
    if (code > 0x7e) return refused("the request URL contains a non-ASCII character; Kubernetes API paths are ASCII");
    if (code === 0x20) return refused("the request URL contains a space");
    if (code === 0x5c) return refused('the request URL contains a backslash, which some servers read as "/"');
    if (code === 0x23) return refused('the request URL contains a fragment ("#"), which HTTP clients never send and servers split differently');
  }
  return undefined;
}

/**
 * Percent-decodes the path, refusing every escape that could make two hops see different
 * segments: encoded separators and dots, double encoding, NUL and control bytes, non-ASCII.
 * Go's net/url (and so the API server) decodes every other escape, so this must too.
 */
function decodePath(rawPath: string): string | RefusedRequestInfo {
  let out = "";
  for (let i = 0; i < rawPath.length; i++) {
    const code = rawPath.charCodeAt(i);
    if (code !== 0x25) {
      if (!allowed(PATH_RAW_CHARS, code)) {
        return refused(`the request path contains ${describeChar(code)}, which must be percent-encoded and which no Kubernetes name contains`);
      }
      out += rawPath[i];
      continue;
    }
    const byte = escapedByte(rawPath, i);
    if (byte < 0) return refused('the request path has invalid percent-encoding ("%" must be followed by two hex digits)');
    const escape = `%${rawPath.slice(i + 1, i + 3)}`;
    if (byte === 0x2f) return refused(`the request path contains a percent-encoded slash (${escape}), which would hide a path separator`);
    if (byte === 0x5c) return refused(`the request path contains a percent-encoded backslash (${escape}), which some servers read as "/"`);
    if (byte === 0x2e) return refused(`the request path contains a percent-encoded dot (${escape}), which could hide a "." or ".." segment`);
    if (byte === 0x25) return refused(`the request path contains a percent-encoded percent sign (${escape}); double-encoded paths decode differently at each hop`);
    if (byte === 0) return refused(`the request path contains a percent-encoded NUL (${escape})`);
    if (byte < 0x20 || byte === 0x7f) return refused(`the request path contains a percent-encoded control character (${escape})`);
    if (byte > 0x7f) return refused(`the request path contains a percent-encoded non-ASCII byte (${escape}); Kubernetes API paths are ASCII`);
    if (!allowed(PATH_DECODED_CHARS, byte)) {
      return refused(`the request path contains a percent-encoded ${describeChar(byte)} (${escape}), which no Kubernetes name contains`);
    }
    out += String.fromCharCode(byte);
    i += 2;
  }
  return out;
}

interface QueryFacts {
  /** Values of `watch`, decoded; more than one is refused later, for resource requests. */
  watch: string[];
  fieldSelector: string[];
}

function checkQuery(rawQuery: string): QueryFacts | RefusedRequestInfo {
  for (let i = 0; i < rawQuery.length; i++) {
    const code = rawQuery.charCodeAt(i);
    if (code === 0x3b) {
      return refused('the query string contains a ";"; the API server drops such parameters while other parsers keep them, so percent-encode it as %3B');
    }
    if (!allowed(QUERY_RAW_CHARS, code)) return refused(`the query string contains ${describeChar(code)}, which must be percent-encoded`);
    if (code !== 0x25) continue;
    // Go's url.ParseQuery drops a parameter whose escapes are invalid; URLSearchParams keeps it
    // literally. Refusing keeps the two in agreement.
    const byte = escapedByte(rawQuery, i);
    if (byte < 0) return refused('the query string has invalid percent-encoding ("%" must be followed by two hex digits)');
    if (byte === 0) return refused("the query string contains a percent-encoded NUL (%00)");
    i += 2;
  }
  // The leading "?" is added so that URLSearchParams strips exactly it: given "?watch=true" (from
  // "/x??watch=true") it would otherwise drop the query's own "?" and see a `watch` that Go,
  // which reads the key "?watch", never sees.
  const params = new URLSearchParams(`?${rawQuery}`);
  return { watch: params.getAll("watch"), fieldSelector: params.getAll("fieldSelector") };
}

/** A value the gateway interprets must be printable ASCII: anything else decodes differently in Go and WHATWG. */
function printableAscii(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false;
  }
  return true;
}

/**
 * The `watch` parameter. Kubernetes (runtime.Convert_Slice_string_To_bool) reads "false" and "0"
 * (any case) as false and everything else, even "" and "f", as true: not strconv.ParseBool. Only
 * the values clients actually send are accepted here; anything else is refused instead of guessed.
 */
function parseWatch(values: string[]): boolean | undefined | RefusedRequestInfo {
  if (values.length === 0) return undefined;
  if (values.length > 1) return refused('the "watch" query parameter appears more than once; send it once');
  const value = (values[0] as string).toLowerCase();
  if (value === "true" || value === "1") return true;
  if (value === "false" || value === "0") return false;
  return refused('the "watch" query parameter must be "true", "false", "1" or "0"');
}

// --- fieldSelector: a port of k8s.io/apimachinery/pkg/fields/selector.go (ParseSelector, RequiresExactMatch).

interface SelectorTerm {
  field: string;
  op: "!=" | "==" | "=";
  value: string;
}

const TERM_OPERATORS = ["!=", "==", "="] as const;

function splitTerms(selector: string): string[] {
  if (selector === "") return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms;
}

function splitTerm(term: string): SelectorTerm | undefined {
  // No escaping in the field name: the first operator found splits the term.
  for (let i = 0; i < term.length; i++) {
    for (const op of TERM_OPERATORS) {
      if (term.startsWith(op, i)) return { field: term.slice(0, i), op, value: term.slice(i + op.length) };
    }
  }
  return undefined;
}

function unescapeValue(value: string): string | undefined {
  let out = "";
  let inSlash = false;
  for (const c of value) {
    if (inSlash) {
      if (c !== "\\" && c !== "," && c !== "=") return undefined;
      out += c;
      inSlash = false;
      continue;
    }
    if (c === "\\") inSlash = true;
    else if (c === "," || c === "=") return undefined;
    else out += c;
  }
  return inSlash ? undefined : out;
}

/** Terms of a field selector, or undefined when Kubernetes would fail to parse it. */
function parseFieldSelector(selector: string): SelectorTerm[] | undefined {
  // Kubernetes sorts the raw terms before parsing, so RequiresExactMatch answers with the
  // lexically first metadata.name term. Values are printable ASCII here, so UTF-16 order is
  // Go's byte order.
  const parts = splitTerms(selector).sort();
  const terms: SelectorTerm[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const term = splitTerm(part);
    if (!term) return undefined;
    const value = unescapeValue(term.value);
    if (value === undefined) return undefined;
    terms.push({ ...term, value });
  }
  return terms;
}

/** k8s.io/apimachinery/pkg/api/validation/path.IsValidPathSegmentName. */
function isValidPathSegmentName(name: string): boolean {
  return name !== "." && name !== ".." && !name.includes("/") && !name.includes("%");
}

/**
 * The object a list/watch is narrowed to by `fieldSelector=metadata.name=X`, as Kubernetes sets
 * RequestInfo.Name: only for a selector that parses, an exact-match term, and a name that is a
 * valid path segment. Otherwise the request stays a request for the whole collection.
 */
function selectorName(selector: string): string {
  const terms = parseFieldSelector(selector);
  if (!terms) return "";
  for (const term of terms) {
    if (term.field === "metadata.name" && term.op !== "!=") {
      return isValidPathSegmentName(term.value) ? term.value : "";
    }
  }
  return "";
}

// --- non-resource paths

function isKnownNonResource(segments: readonly string[]): boolean {
  const [first, second, third] = segments;
  switch (first) {
    case undefined:
      return false; // "/" lists the server's paths; no client needs it.
    case "version":
    case "metrics":
      return segments.length === 1;
    case "api":
      return segments.length === 1 || (segments.length === 2 && VERSION_NAME.test(second as string));
    case "apis":
      if (segments.length === 1) return true;
      if (!GROUP_NAME.test(second as string)) return false;
      return segments.length === 2 || (segments.length === 3 && VERSION_NAME.test(third as string));
    case "openapi":
      return (second === "v2" && segments.length === 2) || second === "v3";
    case "healthz":
    case "livez":
    case "readyz":
      return true; // and every /…/<check> below them
    case ".well-known":
      return segments.length === 2 && second === "openid-configuration";
    case "openid":
      return segments.length === 3 && second === "v1" && third === "jwks";
    default:
      return false;
  }
}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    return Array.isArray(value) ? value.join(",") : String(value);
  }
  return undefined;
}

// --- the classifier

export function classifyRequest(
  method: string,
  rawUrl: string,
  headers?: IncomingHttpHeaders,
): RequestInfo | RefusedRequestInfo {
  if (method === "CONNECT") return refused("CONNECT (authority-form) requests are not Kubernetes API requests");
  if (!NON_RESOURCE_METHODS.has(method)) {
    const shown = /^[A-Za-z-]{1,20}$/.test(method) ? `HTTP method ${method}` : "this HTTP method";
    return refused(`${shown} is not used by the Kubernetes API`);
  }
  if (rawUrl.length > MAX_REQUEST_URL_LENGTH) {
    return refused(`the request URL is ${rawUrl.length} bytes long; chaperone refuses URLs longer than ${MAX_REQUEST_URL_LENGTH} bytes`);
  }
  const rawProblem = checkRawTarget(rawUrl);
  if (rawProblem) return rawProblem;
  if (!rawUrl.startsWith("/")) {
    if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(rawUrl)) {
      return refused("absolute-form request URLs (scheme://host/path) are not accepted; send only the path");
    }
    return refused('the request URL must be a path starting with "/"');
  }
  if (headers) {
    for (const name of METHOD_OVERRIDE_HEADERS) {
      if (headerValue(headers, name) !== undefined) {
        return refused(`the ${name} header is not accepted: the HTTP method alone decides what a request does`);
      }
    }
  }

  const queryStart = rawUrl.indexOf("?");
  const rawPath = queryStart < 0 ? rawUrl : rawUrl.slice(0, queryStart);
  const rawQuery = queryStart < 0 ? "" : rawUrl.slice(queryStart + 1);

  const path = decodePath(rawPath);
  if (typeof path !== "string") return path;
  const query = checkQuery(rawQuery);
  if ("kind" in query) return query;

  // Split like Kubernetes' splitPath (which trims surrounding slashes), but refuse what it glosses
  // over: empty segments (Kubernetes reads /api//v1/pods as resource "v1" named "pods" of version
  // "", a hop that merges slashes as a list of pods) and dot segments (resolved by some hops only).
  const segments = path === "/" ? [] : path.slice(1).split("/");
  const trailingSlash = segments.length > 0 && segments[segments.length - 1] === "";
  if (trailingSlash) segments.pop();
  for (const segment of segments) {
    if (segment === "") return refused('the request path contains an empty segment ("//"), which servers collapse differently');
    if (segment === "." || segment === "..") {
      return refused(`the request path contains a "${segment}" segment, which proxies and servers resolve differently`);
    }
  }

  const info = classifyParts(method, path, segments, query);
  if (info.kind === "refused") return info;

  if (trailingSlash && info.kind === "nonResource") {
    // Non-resource paths are matched literally (/healthz/ reaches the per-check handler, and the
    // trailing-slash behavior of discovery changed across go-restful releases). Resource paths
    // keep Kubernetes' trimming: every handler takes name and namespace from this same
    // RequestInfo, so a router that does not trim answers 404 rather than doing something else.
    return refused("the request path ends with a slash; send it without the trailing slash");
  }

  if (headers) {
    const upgrade = headerValue(headers, "upgrade");
    if (upgrade !== undefined && upgrade.trim() !== "" && (info.kind !== "resource" || !UPGRADE_VERBS.has(info.verb))) {
      // An upgraded connection becomes an opaque byte stream; only the endpoints Kubernetes
      // serves that way may turn into one.
      return refused("a connection upgrade (Upgrade header) is only accepted for exec, attach, port-forward, proxy and watch requests");
    }
  }
  return info;
}

function classifyParts(method: string, path: string, segments: string[], query: QueryFacts): RequestInfo | RefusedRequestInfo {
  const nonResource = (): NonResourceRequestInfo => ({
    kind: "nonResource",
    verb: method.toLowerCase() as NonResourceRequestInfo["verb"],
    path,
    known: (method === "GET" || method === "HEAD") && isKnownNonResource(segments),
  });

  if (segments.length < 3) return nonResource();
  const prefix = segments[0];
  if (prefix !== "api" && prefix !== "apis") return nonResource();
  let current = segments.slice(1);
  let apiGroup = "";
  if (prefix === "apis") {
    // one part (the prefix) is consumed already: this is "do we have four parts?"
    if (current.length < 3) return nonResource();
    apiGroup = current[0] as string;
    current = current.slice(1);
  }
  const apiVersion = current[0] as string;
  current = current.slice(1);

  // From here on it is a resource request: unknown methods are refused, not passed as "".
  let verb: ResourceVerb;
  const head = current[0] as string;
  if (PATH_VERBS.has(head)) {
    if (current.length < 2) {
      // Kubernetes errors ("unable to determine kind and namespace from url"); the server answers 500.
      return refused(`the request path ends at "/${head}" without naming a resource`);
    }
    verb = head as ResourceVerb;
    current = current.slice(1);
  } else {
    const fromMethod = METHOD_VERBS[method];
    if (!fromMethod) return refused(`HTTP method ${method} is not valid for a Kubernetes resource request`);
    verb = fromMethod;
  }

  // The `watch` and `fieldSelector` parameters are checked on every resource request, even where
  // Kubernetes ignores them: a duplicate or a value outside what clients send has no honest use,
  // and refusing keeps the gateway from depending on which copy a later hop reads.
  const watch = parseWatch(query.watch);
  if (typeof watch === "object") return watch;
  if (query.fieldSelector.length > 1) return refused('the "fieldSelector" query parameter appears more than once; combine the terms with ","');
  const fieldSelector = query.fieldSelector[0];
  if (fieldSelector !== undefined && !printableAscii(fieldSelector)) {
    return refused('the "fieldSelector" query parameter contains a control or non-ASCII character');
  }

  // URL forms /namespaces/{namespace}/{resource}/*: parts become relative to the resource, unless
  // what follows the namespace is one of the namespace's own subresources.
  let namespace = "";
  if (current[0] === "namespaces" && current.length > 1) {
    namespace = current[1] as string;
    if (current.length > 2 && !NAMESPACE_SUBRESOURCES.has(current[2] as string)) current = current.slice(2);
  }
  const parts = current;

  const resource = parts[0] as string;
  let name = parts[1] ?? "";
  // The /proxy/ path verb takes no subresource: what follows the name is the proxied path.
  const subresource = parts.length >= 3 && verb !== "proxy" ? (parts[2] as string) : "";

  if (name === "" && verb === "get") {
    verb = watch === true ? "watch" : "list";
    if (fieldSelector !== undefined) name = selectorName(fieldSelector);
  }
  if (name === "" && verb === "delete") verb = "deletecollection";

  const streaming = STREAMING_SUBRESOURCE_VERBS[subresource];
  if (streaming) verb = streaming;

  return {
    kind: "resource",
    verb,
    apiPrefix: prefix,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
    path,
    parts,
  };
}
