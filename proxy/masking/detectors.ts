// Detectors: patterns that recognise a secret in free text (ConfigMap values, annotations, env
// values, Table cells, pod logs, exec output) without knowing it in advance. Each finds the span to
// mask — the whole token, or only the password part of `user:password@host` — and the span is
// replaced by the placeholder of its text.
//
// The built-in set is documented in the README; a policy profile can add its own
// (`masking.detectors`) and turn built-ins off (`masking.disableDetectors`). Detectors look at one
// line at a time in streams (a PEM private key is the one multi-line shape, handled by the stream
// masker's own state machine), so a pattern must not need to cross a newline.

export interface DetectorSpec {
  name: string;
  /** A JavaScript regular expression; with a capture group, only group 1 is masked. */
  pattern: string;
  description?: string;
  /** Case-insensitive matching. */
  ignoreCase?: boolean;
}

export interface Detector {
  readonly name: string;
  readonly description: string;
  readonly builtin: boolean;
  /** Global (and sticky-free) so exec() walks every match. */
  readonly regex: RegExp;
  /** Which group to mask: 0 for the whole match. */
  readonly group: number;
  /** Extra check on a match (keeps common false positives out). */
  readonly accept?: (match: RegExpExecArray) => boolean;
  /** Substrings every match contains: the regex only runs on text holding one of them. */
  readonly anchors?: readonly string[];
}

export interface Span {
  start: number;
  end: number;
}

/** Keys that name something secret-like but hold a reference, a path or a setting, not a secret. */
const NOT_A_SECRET_KEY = /(?:name|names|ref|path|file|dir|url|uri|type|length|ttl|mode|version|count|enabled|timeout|expiry|expiration|seconds|format|header|prefix|suffix|policy|size|id)$/i;
/** Values that are references or templates rather than the secret itself. */
const NOT_A_SECRET_VALUE = /^(?:\$|\{\{|<|true$|false$|null$|none$|chaperone-masked-)/i;

/** The private-key shapes the PEM detector and the stream masker's PEM state machine recognise. */
export const PEM_PRIVATE_KEY_BEGIN = /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----/;

interface BuiltinDefinition {
  name: string;
  description: string;
  regex: RegExp;
  group?: number;
  accept?: (match: RegExpExecArray) => boolean;
  anchors: readonly string[];
}

/** Group detectors need match indices (the `d` flag) to find their group. */
function withIndices(regex: RegExp): RegExp {
  return regex.flags.includes("d") ? regex : new RegExp(regex.source, regex.flags + "d");
}

const BUILTIN_DEFINITIONS: readonly BuiltinDefinition[] = [
  {
    name: "private-key",
    anchors: ["-----BEGIN"],
    description: "PEM private keys (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted, PGP), the whole block",
    regex: /-----BEGIN ((?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?)-----[\s\S]*?-----END \1-----/g,
  },
  {
    name: "jwt",
    anchors: ["eyJ"],
    description: "JSON Web Tokens (service-account tokens, OIDC ID tokens): eyJ….eyJ….signature",
    regex: /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  },
  { name: "aws-access-key-id", description: "AWS access key IDs (AKIA…, ASIA…)", regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b/g, anchors: ["AKIA", "ASIA", "ABIA", "ACCA"] },
  {
    name: "github-token",
    anchors: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
    description: "GitHub tokens (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
    regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g,
  },
  { name: "gitlab-token", description: "GitLab personal, project and group access tokens (glpat-…)", regex: /\bglpat-[A-Za-z0-9_-]{20,}/g, anchors: ["glpat-"] },
  { name: "slack-token", description: "Slack tokens (xoxb-, xoxp-, xoxa-, …)", regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g, anchors: ["xoxa-", "xoxb-", "xoxo-", "xoxp-", "xoxr-", "xoxs-"] },
  { name: "google-api-key", description: "Google API keys (AIza…)", regex: /\bAIza[0-9A-Za-z_-]{35}/g, anchors: ["AIza"] },
  { name: "stripe-key", description: "Stripe secret and restricted keys (sk_live_, rk_test_, …)", regex: /\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}/g, anchors: ["k_live_", "k_test_"] },
  {
    name: "ai-api-key",
    anchors: ["sk-"],
    description: "OpenAI and Anthropic API keys (sk-…, sk-proj-…, sk-ant-…): 32+ characters mixing upper case, lower case and digits",
    regex: /\bsk-(?:ant-(?:[a-z]+[0-9]*-)?|proj-)?[A-Za-z0-9_-]{32,}/g,
    accept: (m) => /[A-Z]/.test(m[0]) && /[a-z]/.test(m[0]) && /[0-9]/.test(m[0]),
  },
  {
    name: "url-credentials",
    anchors: ["://"],
    description: "the password in a URL or connection URI (scheme://user:password@host)",
    regex: /\b[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\s:/?#@"']+:([^\s@/?#"']+)@/g,
    group: 1,
  },
  {
    name: "bearer-token",
    anchors: ["Bearer"],
    description: "the token of an `Authorization: Bearer …` header",
    regex: /\bBearer[ \t]+([A-Za-z0-9._~+/-]{16,}=*)/g,
    group: 1,
  },
  {
    name: "connection-string-password",
    anchors: ["="],
    description: "Password=… / Pwd=… in ADO.NET, ODBC and JDBC connection strings",
    regex: /(?:^|[;\s"'])(?:password|pwd)[ \t]*=[ \t]*([^;\s"']+)/gi,
    group: 1,
    accept: (m) => !NOT_A_SECRET_VALUE.test(m[1] ?? ""),
  },
  {
    name: "password-assignment",
    anchors: [":", "="],
    description:
      "the value of a key that names a secret (password, passwd, secret, token, api_key, access_key, private_key, key_data, credentials) in `key: value`, `key=value`, `\"key\": \"value\"` and env-style lines; keys naming a reference (…Name, …Ref, …Path, …File, …) are left alone",
    // Keyword first (no leading character class to retry at every position); the rest of the key
    // is group 2, the value group 3.
    regex:
      /(passw(?:or)?d|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|key[_-]?data|credentials?)([A-Za-z0-9_.-]*)["']?[ \t]*[:=][ \t]*["']?([^\s"',;]{6,})/gi,
    group: 3,
    accept: (m) => !NOT_A_SECRET_KEY.test((m[1] ?? "") + (m[2] ?? "")) && !NOT_A_SECRET_VALUE.test(m[3] ?? ""),
  },
];

/**
 * Bytes of which every built-in anchor holds at least one (":", "=", "_", "-", "J", "A", "B"):
 * text with none of them cannot match a built-in, and checking costs one memchr per byte value,
 * so binary output and plain prose skip detection without being decoded.
 */
export const BUILTIN_ANCHOR_BYTES: readonly number[] = [0x3a, 0x3d, 0x5f, 0x2d, 0x4a, 0x41, 0x42];

export const BUILTIN_DETECTORS: readonly Detector[] = BUILTIN_DEFINITIONS.map((d) => ({
  name: d.name,
  description: d.description,
  builtin: true,
  regex: d.group ? withIndices(d.regex) : d.regex,
  group: d.group ?? 0,
  anchors: d.anchors,
  ...(d.accept ? { accept: d.accept } : {}),
}));

export const BUILTIN_DETECTOR_NAMES: readonly string[] = BUILTIN_DETECTORS.map((d) => d.name);

export const DETECTOR_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Compiles a policy-defined detector; returns a problem sentence instead when it is unusable. */
export function compileDetector(spec: DetectorSpec): Detector | string {
  let regex: RegExp;
  try {
    regex = new RegExp(spec.pattern, spec.ignoreCase ? "dgi" : "dg");
  } catch (error) {
    return `the pattern does not compile: ${(error as Error).message}`;
  }
  if (new RegExp(regex.source, regex.flags.replace("g", "")).test("")) return "the pattern matches the empty string, so it would mask everywhere";
  const groups = new RegExp(`${regex.source}|`).exec("")?.length ?? 1;
  return { name: spec.name, description: spec.description ?? `policy detector ${spec.name}`, builtin: false, regex, group: groups > 1 ? 1 : 0 };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
}

/** How likely a character is to be frequent in bulk text (lower: rarer); anchors are searched by their rarest one. */
function pivotRank(c: string): number {
  if (c >= "A" && c <= "Z") return 0;
  const rank = "/:_-".indexOf(c);
  return rank < 0 ? 5 : 1 + rank;
}

/**
 * One regex that finds any of `anchors`, exactly (it matches where a plain alternation of them
 * would). Each anchor is looked for by its rarest character (an upper-case letter, else "/", ":",
 * "_", "-"): the regex starts with a class of those few characters, so the engine only stops at
 * them and looks behind and ahead for the rest of the anchor. On bulk text (ConfigMap values) this
 * is several times faster than the alternation, which stops at every common letter.
 */
export function anchorPattern(anchors: readonly string[]): RegExp {
  // Per pivot: the anchors ending at it (one look-behind), and those continuing after it.
  const byPivot = new Map<string, { ending: string[]; continuing: string[] }>();
  for (const anchor of anchors) {
    // The last of the rarest characters: most anchors end with it, so a look-behind alone checks them.
    let at = anchor.length - 1;
    for (let i = anchor.length - 2; i >= 0; i--) if (pivotRank(anchor[i] as string) < pivotRank(anchor[at] as string)) at = i;
    const pivot = anchor[at] as string;
    const upTo = escapeRegex(anchor.slice(0, at + 1));
    const after = anchor.slice(at + 1);
    let group = byPivot.get(pivot);
    if (!group) byPivot.set(pivot, (group = { ending: [], continuing: [] }));
    if (after === "") group.ending.push(upTo);
    else group.continuing.push(`${at > 0 ? `(?<=${upTo})` : ""}${escapeRegex(after)}`);
  }
  const groups = [...byPivot].map(([pivot, { ending, continuing }]) => {
    const alternatives = [...(ending.length > 0 ? [ending.some((a) => a.length === escapeRegex(pivot).length) ? "" : `(?<=${ending.join("|")})`] : []), ...continuing];
    return alternatives.includes("") ? escapeRegex(pivot) : `${escapeRegex(pivot)}(?:${alternatives.join("|")})`;
  });
  return new RegExp(groups.join("|"));
}

/** The detectors in force for a profile: the built-ins it keeps plus its own. */
export class DetectorSet {
  private readonly builtins: readonly Detector[];
  private readonly custom: readonly Detector[];

  /** Built-ins anchored on ":" or "=" alone (key/value shapes): one memchr decides. */
  private readonly separated: readonly Detector[];
  /** The other built-ins, and one regex finding any of their anchors in a single pass. */
  private readonly anchored: readonly Detector[];
  private readonly anyAnchor: RegExp | null;

  constructor(readonly detectors: readonly Detector[]) {
    this.builtins = detectors.filter((d) => d.builtin);
    this.custom = detectors.filter((d) => !d.builtin);
    const separator = (d: Detector): boolean => (d.anchors ?? []).every((a) => a === ":" || a === "=");
    this.separated = this.builtins.filter((d) => d.anchors && separator(d));
    this.anchored = this.builtins.filter((d) => !d.anchors || !separator(d));
    const anchors = [...new Set(this.anchored.flatMap((d) => d.anchors ?? []))];
    this.anyAnchor = anchors.length > 0 && this.anchored.every((d) => d.anchors) ? anchorPattern(anchors) : null;
  }

  /**
   * Bytes every match of this set holds at least one of (BUILTIN_ANCHOR_BYTES, "-" of a PEM BEGIN
   * line among them): bytes holding none cannot take part in a match. null with a policy detector,
   * which has no anchors: then every byte may matter.
   */
  get triggerBytes(): readonly number[] | null {
    return this.custom.length > 0 ? null : BUILTIN_ANCHOR_BYTES;
  }

  get empty(): boolean {
    return this.detectors.length === 0;
  }

  /**
   * Whether any detector could match these bytes. Built-ins are checked with native substring
   * searches for their anchors (binary output and plain text without ":" or "=" skip detection
   * without being decoded); a set with a policy detector always answers yes.
   */
  mayMatchBytes(bytes: Buffer): boolean {
    const triggers = this.triggerBytes;
    if (triggers === null) return true;
    if (this.builtins.length === 0) return false;
    for (const byte of triggers) if (bytes.indexOf(byte) >= 0) return true;
    return false;
  }

  /** The spans to mask in `text`, sorted and merged. */
  find(text: string): Span[] {
    let spans: Span[] | null = null;
    const scan = (detector: Detector): void => {
      const regex = detector.regex;
      regex.lastIndex = 0;
      for (let m = regex.exec(text); m; m = regex.exec(text)) {
        if (m[0].length === 0) {
          regex.lastIndex++;
          continue;
        }
        if (detector.accept && !detector.accept(m)) continue;
        if (detector.group === 0) {
          (spans ??= []).push({ start: m.index, end: m.index + m[0].length });
          continue;
        }
        const at = m.indices?.[detector.group];
        if (at && at[1] > at[0]) (spans ??= []).push({ start: at[0], end: at[1] });
      }
    };
    if (this.separated.length > 0 && (text.includes(":") || text.includes("="))) {
      for (const d of this.separated) if ((d.anchors as readonly string[]).some((anchor) => text.includes(anchor))) scan(d);
    }
    if (this.anyAnchor === null || this.anyAnchor.test(text)) {
      for (const d of this.anchored) if (!d.anchors || d.anchors.some((anchor) => text.includes(anchor))) scan(d);
    }
    for (const d of this.custom) scan(d);
    return spans ? mergeSpans(spans) : [];
  }
}

export function mergeSpans(spans: Span[]): Span[] {
  if (spans.length < 2) return spans;
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Span[] = [];
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && span.start <= last.end) last.end = Math.max(last.end, span.end);
    else merged.push({ ...span });
  }
  return merged;
}

export const BUILTIN_DETECTOR_SET = new DetectorSet(BUILTIN_DETECTORS);
