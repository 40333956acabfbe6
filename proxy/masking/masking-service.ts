// The engine's masking, in one place: the key and placeholders, the index of secret values seen,
// the plan for each request's response (used by the mask pass), write-back (used by the
// write-back pass), and masking for the engine's own records (audit log, recordings), which are
// always masked in full, whatever a profile turns off or a rule reveals.
import type { Upstream } from "../upstream/upstream.js";
import { upstreamFetch } from "../upstream/upstream-fetch.js";
import type { ResourceRequestInfo, RequestInfo } from "../gateway/request-info.js";
import { Masker } from "./masker.js";
import { ruleSetFor, type MaskRule, type RuleSet } from "./mask-rules.js";
import { parse as parseYaml } from "yaml";
import { DEFAULT_MASKING, everythingWith, type MaskingSettings } from "./masking-settings.js";
import { maskValue, recordingScope, type MaskScope } from "./object-masker.js";
import { JsonStreamMasker, MaskingStreamError } from "./json-stream-masker.js";
import { ByteStreamMasker, type Replacement } from "./byte-stream-masker.js";
import { mediaTypeOf } from "./accept.js";
import type { ResponseMasking } from "./response-masking.js";
import { restorePlaceholders, type WriteBackResult } from "./write-back.js";

/** What the mask pass should do with a request. */
export type MaskingPlan =
  | { kind: "none" }
  | { kind: "refuse"; message: string }
  | { kind: "mask"; response: ResponseMasking; learnPod: { namespace: string; name: string } | null };

/** How long a pod's referenced Secrets count as learned (logs and exec of one pod come in bursts). */
const POD_LEARN_TTL_MS = 15_000;
const POD_LEARN_TIMEOUT_MS = 3_000;
const MAX_SECRETS_PER_POD = 32;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Names of the Secrets a pod takes values from: env, envFrom, volumes (plain and projected). */
export function secretsReferencedBy(pod: unknown): string[] {
  const names = new Set<string>();
  const spec = isPlainObject(pod) && isPlainObject(pod["spec"]) ? pod["spec"] : {};
  const containers = ["containers", "initContainers", "ephemeralContainers"].flatMap((k) => (Array.isArray(spec[k]) ? (spec[k] as unknown[]) : []));
  const add = (name: unknown): void => {
    if (typeof name === "string" && name !== "") names.add(name);
  };
  for (const container of containers) {
    if (!isPlainObject(container)) continue;
    for (const env of Array.isArray(container["env"]) ? container["env"] : []) {
      if (isPlainObject(env) && isPlainObject(env["valueFrom"]) && isPlainObject(env["valueFrom"]["secretKeyRef"])) add(env["valueFrom"]["secretKeyRef"]["name"]);
    }
    for (const from of Array.isArray(container["envFrom"]) ? container["envFrom"] : []) {
      if (isPlainObject(from) && isPlainObject(from["secretRef"])) add(from["secretRef"]["name"]);
    }
  }
  for (const volume of Array.isArray(spec["volumes"]) ? spec["volumes"] : []) {
    if (!isPlainObject(volume)) continue;
    if (isPlainObject(volume["secret"])) add(volume["secret"]["secretName"]);
    const projected = isPlainObject(volume["projected"]) && Array.isArray(volume["projected"]["sources"]) ? volume["projected"]["sources"] : [];
    for (const source of projected) if (isPlainObject(source) && isPlainObject(source["secret"])) add(source["secret"]["name"]);
  }
  return [...names];
}

function resourceKey(info: ResourceRequestInfo): { apiGroup: string; resource: string; subresource: string } {
  return { apiGroup: info.apiGroup, resource: info.resource, subresource: info.subresource };
}

export interface MaskingServiceOptions {
  key: Buffer;
  /** For write-back's look at the current object and for learning a pod's Secrets before logs/exec. */
  upstream?: Upstream | null;
}

export class MaskingService {
  readonly masker: Masker;
  private readonly upstream: Upstream | null;
  private readonly learned = new Map<string, number>();

  constructor(options: MaskingServiceOptions) {
    this.masker = new Masker(options.key);
    this.upstream = options.upstream ?? null;
  }

  /** A scope that records masked fields into `masked`. */
  scope(settings: MaskingSettings, masked: string[]): MaskScope {
    return recordingScope(this.masker, settings, masked);
  }

  /** Decides how a request's response is masked, under a profile's settings. Synchronous and cheap: it runs on every request. */
  planFor(info: RequestInfo, upgrade: boolean, settings: MaskingSettings, masked: string[]): MaskingPlan {
    if (info.kind !== "resource" || !settings.enabled) return { kind: "none" };
    const { flags } = settings;
    if (info.verb === "exec" || info.verb === "attach") {
      if (!flags.exec) return { kind: "none" };
      return { kind: "mask", response: { kind: "exec", root: null, scope: this.scope(settings, masked) }, learnPod: { namespace: info.namespace, name: info.name } };
    }
    if (info.resource === "pods" && info.apiGroup === "" && info.subresource === "log") {
      if (!flags.logs) return { kind: "none" };
      return { kind: "mask", response: { kind: "text", root: null, scope: this.scope(settings, masked) }, learnPod: { namespace: info.namespace, name: info.name } };
    }
    // Port-forward carries the pod's own network traffic: what the pod sends is masked on the wire
    // (same length, proxy/masking/port-forward-stream-masker.ts), under the exec switch. The
    // response kind is "exec" (an upgraded stream); the forward pass tells the two apart by verb.
    if (info.verb === "portforward") {
      if (!flags.exec) return { kind: "none" };
      return { kind: "mask", response: { kind: "exec", root: null, scope: this.scope(settings, masked) }, learnPod: { namespace: info.namespace, name: info.name } };
    }
    if (info.verb === "proxy") return this.proxyPlan(info, upgrade, settings, masked);
    const rules = ruleSetFor(resourceKey(info), settings);
    if (!rules) return { kind: "none" };
    if (upgrade) {
      return {
        kind: "refuse",
        message: `chaperone: a ${info.verb} of ${info.resource} over a WebSocket cannot be masked; use a plain HTTP ${info.verb} (kubectl does)`,
      };
    }
    return { kind: "mask", response: { kind: "json", root: info.verb === "watch" ? rules.event : rules.body, scope: this.scope(settings, masked) }, learnPod: null };
  }

  /**
   * A pod, service or node proxy: arbitrary HTTP from a workload (a debug endpoint, an admin UI, a
   * metrics page) that may print whatever secret the workload holds. Masked like logs, as text;
   * the forward pass refuses a body it cannot read as text. A proxied WebSocket (or any other
   * upgrade) is refused: its frames could carry anything, in any framing.
   */
  private proxyPlan(info: ResourceRequestInfo, upgrade: boolean, settings: MaskingSettings, masked: string[]): MaskingPlan {
    if (!settings.flags.proxy) return { kind: "none" };
    if (upgrade) {
      return {
        kind: "refuse",
        message: `chaperone: a proxied connection upgrade (WebSocket) to ${info.resource}/${info.name} cannot be masked; refused (a rule with reveal: true can allow it unmasked)`,
      };
    }
    // The pod is named `NAME`, `NAME:PORT` or `SCHEME:NAME:PORT` in a proxy path.
    const parts = info.name.split(":");
    const pod = parts.length === 3 ? parts[1] : parts[0];
    const learnPod = info.resource === "pods" && info.apiGroup === "" && pod ? { namespace: info.namespace, name: pod } : null;
    return { kind: "mask", response: { kind: "proxy", root: null, scope: this.scope(settings, masked) }, learnPod };
  }

  /**
   * Before a pod's logs, an exec into it or a port-forward to it: mask the pod and the Secrets it references once, so
   * their values are in the index the stream masker uses. Best effort and bounded in time: a
   * failure here only means fewer values are known.
   */
  async learnPodSecrets(namespace: string, name: string): Promise<void> {
    const upstream = this.upstream;
    if (!upstream || namespace === "" || name === "") return;
    const key = `${namespace}/${name}`;
    const now = Date.now();
    const last = this.learned.get(key);
    if (last !== undefined && now - last < POD_LEARN_TTL_MS) return;
    this.learned.set(key, now);
    if (this.learned.size > 1024) for (const [k, t] of this.learned) if (now - t >= POD_LEARN_TTL_MS) this.learned.delete(k);
    const scope = this.scope(DEFAULT_MASKING, []);
    const learn = async (): Promise<void> => {
      const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}`;
      const pod = await upstreamFetch(upstream, "GET", `${base}/pods/${encodeURIComponent(name)}`, { timeoutMs: POD_LEARN_TIMEOUT_MS });
      if (pod.status !== 200) return;
      const object = JSON.parse(pod.body) as unknown;
      const podRules = ruleSetFor({ apiGroup: "", resource: "pods", subresource: "" }, DEFAULT_MASKING);
      if (podRules) maskValue(object, podRules.object, scope);
      const secretRules = ruleSetFor({ apiGroup: "", resource: "secrets", subresource: "" }, DEFAULT_MASKING) as RuleSet;
      await Promise.all(
        secretsReferencedBy(object)
          .slice(0, MAX_SECRETS_PER_POD)
          .map(async (secret) => {
            const result = await upstreamFetch(upstream, "GET", `${base}/secrets/${encodeURIComponent(secret)}`, { timeoutMs: POD_LEARN_TIMEOUT_MS });
            if (result.status === 200) maskValue(JSON.parse(result.body) as unknown, secretRules.object, scope);
          }),
      );
    };
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      learn().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, POD_LEARN_TIMEOUT_MS);
        timer.unref();
      }),
    ]);
    if (timer) clearTimeout(timer);
  }

  /** Write-back for one write: restore the placeholders it carries, or say why not. */
  writeBack(options: {
    info: ResourceRequestInfo;
    contentType: string | null;
    body: Buffer;
    object: unknown | null;
    settings: MaskingSettings;
  }): Promise<WriteBackResult> {
    const { info } = options;
    const verb = info.verb === "create" || info.verb === "update" || info.verb === "patch" ? info.verb : null;
    if (!verb) return Promise.resolve({ kind: "unchanged" });
    const settings = everythingWith(options.settings);
    const upstream = this.upstream;
    return restorePlaceholders({
      verb,
      contentType: options.contentType,
      body: options.body,
      object: options.object,
      rules: ruleSetFor(resourceKey(info), settings),
      masker: this.masker,
      settings,
      current: async () => {
        if (!upstream) return null;
        const result = await upstreamFetch(upstream, "GET", objectPath(info));
        if (result.status === 404) return null;
        if (result.status !== 200) throw new Error(`reading the current object failed with HTTP ${result.status}`);
        return JSON.parse(result.body) as unknown;
      },
    });
  }

  // --- records (issue 6: audit log and recordings call these)

  /**
   * A request or response body for the engine's records, with every secret value masked
   * (everything on, whatever the profile says or a rule revealed). `masked` receives the fields.
   * Returns null for a body that cannot be read, and so must not be recorded (protobuf, CBOR).
   */
  maskBodyForRecord(info: RequestInfo | null, body: Buffer, contentType: string | undefined, direction: "request" | "response", masked: string[] = []): Buffer | null {
    if (body.length === 0) return body;
    const type = mediaTypeOf(contentType);
    const scope = this.scope(DEFAULT_MASKING, masked);
    const rules = info?.kind === "resource" ? ruleSetFor(resourceKey(info), DEFAULT_MASKING) : null;
    const json = type === "application/json" || (type.startsWith("application/") && type.endsWith("+json"));
    const yaml = type === "application/yaml" || type === "application/apply-patch+yaml";
    if (direction === "request" && (json || yaml) && info?.kind === "resource") {
      let object: unknown;
      try {
        // YAML 1.2 reads JSON too.
        object = parseYaml(body.toString("utf8"), { maxAliasCount: 100 }) as unknown;
      } catch {
        return null;
      }
      return Buffer.from(JSON.stringify(this.maskObjectForRecord(info, object, type, masked)), "utf8");
    }
    if (json && rules) {
      const root = info?.kind === "resource" && info.verb === "watch" ? rules.event : rules.body;
      try {
        const masker = new JsonStreamMasker(root, scope);
        return Buffer.concat([masker.push(body), masker.end()]);
      } catch (error) {
        if (error instanceof MaskingStreamError) return null;
        throw error;
      }
    }
    if (json || type === "" || type.startsWith("text/") || yaml) {
      const masker = new ByteStreamMasker(this.masker, DEFAULT_MASKING.detectors);
      return Buffer.concat([masker.push(body), masker.end()]);
    }
    return null;
  }

  /** A decoded request object (a write) for the records: masked by the rules of the resource it is written to. */
  maskObjectForRecord(info: RequestInfo | null, object: unknown, contentType: string | null = null, masked: string[] = []): unknown {
    if (info?.kind !== "resource") return object;
    const rules = ruleSetFor(resourceKey(info), DEFAULT_MASKING);
    const scope = this.scope(DEFAULT_MASKING, masked);
    if (!rules) return object;
    if (mediaTypeOf(contentType ?? "") === "application/json-patch+json" && Array.isArray(object)) {
      // A JSON patch's values are masked as whatever they replace; anything it cannot place is masked as a secret.
      return object.map((op: unknown) => {
        if (!isPlainObject(op) || !("value" in op)) return op;
        const rule = patchValueRule(rules, String(op["path"] ?? ""));
        return rule ? { ...op, value: maskValue(op["value"], rule, scope) } : op;
      });
    }
    return maskValue(object, rules.object, scope);
  }

  /**
   * A parsed body for the records: request bodies (writes) by the rules of the object written,
   * response bodies (an object, a List, a Table, a watch event) by the response rules. Shaped for
   * the audit recorder's `setMasker` (proxy/audit/body-masker.ts).
   */
  maskParsedForRecord(object: unknown, context: { request: { info: RequestInfo | null; req: { headers: Record<string, unknown> } }; direction: "request" | "response" }): { object: unknown; masked: string[] } {
    const masked: string[] = [];
    const info = context.request.info;
    if (context.direction === "request") {
      const contentType = context.request.req.headers["content-type"];
      return { object: this.maskObjectForRecord(info, object, typeof contentType === "string" ? contentType : null, masked), masked };
    }
    if (info?.kind !== "resource") return { object, masked };
    const rules = ruleSetFor(resourceKey(info), DEFAULT_MASKING);
    if (!rules) return { object, masked };
    const root = info.verb === "watch" && isPlainObject(object) && "type" in object && "object" in object ? rules.event : rules.body;
    return { object: maskValue(object, root, this.scope(DEFAULT_MASKING, masked)), masked };
  }

  /**
   * An exec/attach stream's bytes for a recording: a masker per stream, fed in order. Binary
   * recordings (`kubectl cp`) are masked in place, same length, so their archives stay archives.
   */
  newStreamMaskerForRecord(replacement: Replacement = "placeholder"): ByteStreamMasker {
    return new ByteStreamMasker(this.masker, DEFAULT_MASKING.detectors, null, { replacement });
  }
}

/**
 * The rule a JSON-patch path points at (named members; list positions take the element rule); null
 * for a field that is never masked. The value of an env entry is masked as a secret whatever its
 * name (the name is not in the patch).
 */
function patchValueRule(rules: RuleSet, pointer: string): MaskRule | null {
  let rule: MaskRule | null = rules.object;
  for (const token of pointer.split("/").slice(1)) {
    if (!rule) return null;
    if (rule.envVar) return token === "value" ? SECRET_EVERYWHERE : null;
    rule = /^(\d+|-)$/.test(token) && rule.element ? rule.element : rule.member(token.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return rule;
}

/** Masks every string as a secret. */
const SECRET_EVERYWHERE: MaskRule = {
  label: "secret-everywhere",
  action: "secret",
  envVar: false,
  objectRule: null,
  hasMembers: true,
  anyMember: null,
  named: [],
  get element() {
    return SECRET_EVERYWHERE;
  },
  member: () => SECRET_EVERYWHERE,
};

/** The object a request writes to (without its subresource): what write-back compares with. */
export function objectPath(info: ResourceRequestInfo): string {
  const group = info.apiPrefix === "api" ? `/api/${info.apiVersion}` : `/apis/${info.apiGroup}/${info.apiVersion}`;
  const namespace = info.namespace !== "" && !(info.apiGroup === "" && info.resource === "namespaces") ? `/namespaces/${encodeURIComponent(info.namespace)}` : "";
  return `${group}${namespace}/${info.resource}/${encodeURIComponent(info.name)}`;
}
