// Where secret values sit in Kubernetes objects, as a tree of rules the maskers walk. The same
// tree drives the streaming JSON masker (responses), the object masker (records, last-applied,
// write-back) and the write-back check, so the three can never disagree about what is masked.
//
// A rule says, for the value at its place: what to do with it when it is a string (`action`),
// which rule applies to each member of an object (`member`) or element of an array (`element`),
// or that it is an env var entry masked as a unit (its name decides about its value). A subtree
// without a rule is never looked into, which keeps large lists cheap: for a Secret only
// metadata.annotations, data and stringData are read.
import type { MaskingSettings } from "./masking-settings.js";

export type StringAction =
  /** The whole value is a secret: replaced by its placeholder. */
  | "secret"
  /** The whole value is a base64-encoded secret (Secret data): replaced by the placeholder, base64-encoded. */
  | "secret-base64"
  /** Free text: known secret values and detector matches inside it are replaced. */
  | "scan"
  /** Free text where only detector matches are replaced (ConfigMap data: bulk text, where searching every known value costs too much for what it adds). */
  | "detect"
  /** base64-encoded free text (ConfigMap binaryData): detectors run on it decoded; re-encoded when changed. */
  | "detect-base64"
  /** kubectl's last-applied-configuration: JSON of the object, masked with the object's own rule. */
  | "last-applied";

export interface MaskRule {
  /** Where this rule sits, for reading the tree while debugging. */
  readonly label: string;
  readonly action: StringAction | null;
  /**
   * The value is an env var entry ({name, value, valueFrom}); masked as a unit (its name decides
   * about its value). With `anyMember` (custom resources), its other members follow that rule.
   */
  readonly envVar: boolean;
  /** For "last-applied": the rule of the object the annotation describes. */
  readonly objectRule: MaskRule | null;
  readonly element: MaskRule | null;
  /** False when no member of an object here can hold anything to mask: the object is skipped. */
  readonly hasMembers: boolean;
  /** The rule for members not named explicitly (null: only `named` members matter). */
  readonly anyMember: MaskRule | null;
  /** Explicitly named members that have a rule, with their names as bytes (the streaming masker compares keys without decoding them). */
  readonly named: readonly NamedMember[];
  member(key: string): MaskRule | null;
}

export interface NamedMember {
  readonly name: string;
  readonly bytes: Buffer;
  readonly rule: MaskRule;
}

export const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

interface RuleParts {
  action?: StringAction | null;
  envVar?: boolean;
  members?: Readonly<Record<string, MaskRule | null>>;
  /** Rule for members not listed in `members`. */
  anyMember?: MaskRule | null;
  element?: MaskRule | null;
}

class Rule implements MaskRule {
  readonly action: StringAction | null;
  readonly envVar: boolean;
  element: MaskRule | null;
  objectRule: MaskRule | null = null;
  members: Map<string, MaskRule | null>;
  anyMember: MaskRule | null;

  constructor(
    readonly label: string,
    parts: RuleParts,
  ) {
    this.action = parts.action ?? null;
    this.envVar = parts.envVar ?? false;
    this.element = parts.element ?? null;
    this.members = new Map(Object.entries(parts.members ?? {}));
    this.anyMember = parts.anyMember ?? null;
  }

  // Filled in by seal() once the tree is assembled (members added, objectRule set), so that the
  // streaming masker reads plain fields on its hot path.
  named: NamedMember[] = [];
  hasMembers = false;

  seal(): void {
    this.named = [];
    for (const [name, rule] of this.members) if (rule !== null) this.named.push({ name, bytes: Buffer.from(name, "utf8"), rule });
    this.hasMembers = this.anyMember !== null || this.named.length > 0;
  }

  member(key: string): MaskRule | null {
    const rule = this.members.get(key);
    return rule === undefined ? this.anyMember : rule;
  }
}

/** Rules made while a rule set is being built, sealed when it is complete. */
let building: Rule[] | null = null;

function rule(label: string, parts: RuleParts): Rule {
  const made = new Rule(label, parts);
  building?.push(made);
  return made;
}

/** A map whose every value gets `action` (Secret data, ConfigMap data). */
function mapOf(label: string, action: StringAction | null): MaskRule | null {
  return action === null ? null : rule(label, { anyMember: rule(`${label}.*`, { action }) });
}

/** The rules of one kind of response. */
export interface RuleSet {
  /** The object itself (writes, the inside of last-applied). */
  readonly object: MaskRule;
  /** A response body: an object, a List of them, a Table of them, or a Status. */
  readonly body: MaskRule;
  /** One watch event: {type, object}, the object being a body (Table watches send Tables). */
  readonly event: MaskRule;
}

/** Resources whose objects cannot hold a secret value: their responses are streamed untouched. */
const PASS_THROUGH = new Set([
  "/events",
  "events.k8s.io/events",
  "/nodes",
  "/namespaces",
  "/endpoints",
  "/componentstatuses",
  "/limitranges",
  "/resourcequotas",
  "/bindings",
  "coordination.k8s.io/leases",
  "discovery.k8s.io/endpointslices",
  "rbac.authorization.k8s.io/roles",
  "rbac.authorization.k8s.io/rolebindings",
  "rbac.authorization.k8s.io/clusterroles",
  "rbac.authorization.k8s.io/clusterrolebindings",
  "apiextensions.k8s.io/customresourcedefinitions",
  "apiregistration.k8s.io/apiservices",
  "flowcontrol.apiserver.k8s.io/flowschemas",
  "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations",
  "storage.k8s.io/storageclasses",
  "storage.k8s.io/csidrivers",
  "storage.k8s.io/csinodes",
  "storage.k8s.io/volumeattachments",
  "storage.k8s.io/csistoragecapacities",
  "scheduling.k8s.io/priorityclasses",
  "node.k8s.io/runtimeclasses",
  "networking.k8s.io/ingressclasses",
  "authorization.k8s.io/selfsubjectaccessreviews",
  "authorization.k8s.io/selfsubjectrulesreviews",
  "authorization.k8s.io/subjectaccessreviews",
  "authorization.k8s.io/localsubjectaccessreviews",
  "authentication.k8s.io/selfsubjectreviews",
  "certificates.k8s.io/certificatesigningrequests",
  "metrics.k8s.io/pods",
  "metrics.k8s.io/nodes",
]);

/** Built-in resources without pod templates or secret fields: only their annotations are read. */
const METADATA_ONLY = new Set([
  "/services",
  "/serviceaccounts",
  "/persistentvolumeclaims",
  "/persistentvolumes",
  "networking.k8s.io/ingresses",
  "networking.k8s.io/networkpolicies",
  "policy/poddisruptionbudgets",
  "autoscaling/horizontalpodautoscalers",
]);

/** Workloads whose pod template is at spec.template. */
const TEMPLATED = new Set([
  "apps/deployments",
  "apps/replicasets",
  "apps/statefulsets",
  "apps/daemonsets",
  "batch/jobs",
  "/replicationcontrollers",
  "extensions/deployments",
  "extensions/replicasets",
  "extensions/daemonsets",
]);

/**
 * API groups Kubernetes itself serves. A resource of any other group is a custom resource (or an
 * aggregated API): its schema is the operator's, so any string in it may hold a secret.
 */
const BUILTIN_GROUPS = new Set([
  "",
  "apps",
  "batch",
  "autoscaling",
  "policy",
  "extensions",
  "networking.k8s.io",
  "storage.k8s.io",
  "rbac.authorization.k8s.io",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "node.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storagemigration.k8s.io",
]);

/** Whether a resource is a custom resource (a group Kubernetes does not serve itself). */
export function isCustomResource(key: ResourceKey): boolean {
  return !BUILTIN_GROUPS.has(key.apiGroup);
}

export interface ResourceKey {
  apiGroup: string;
  resource: string;
  subresource: string;
}

/** Whether responses for this resource can hold a secret value at all. */
export function mayCarrySecrets(key: ResourceKey): boolean {
  if (key.subresource === "scale" || key.subresource === "eviction" || key.subresource === "binding") return false;
  return !PASS_THROUGH.has(`${key.apiGroup}/${key.resource}`);
}

function buildRuleSet(key: ResourceKey, settings: MaskingSettings): RuleSet {
  building = [];
  try {
    const rules = assembleRuleSet(key, settings);
    for (const made of building) made.seal();
    return rules;
  } finally {
    building = null;
  }
}

function assembleRuleSet(key: ResourceKey, settings: MaskingSettings): RuleSet {
  const { flags } = settings;

  const envVar = flags.env ? rule("env[]", { envVar: true }) : null;
  const scanList = flags.env ? rule("args[]", { element: rule("args[].*", { action: "scan" }) }) : null;
  const container = rule("container", { members: { env: envVar ? rule("env", { element: envVar }) : null, args: scanList, command: scanList } });
  const containers = rule("containers", { element: container });
  const podSpec = rule("podSpec", { members: { containers, initContainers: containers, ephemeralContainers: containers } });

  // Annotations: last-applied is masked with the object's own rule (filled in below, once the
  // object rule exists); other annotations are scanned.
  const lastApplied = rule(`annotations[${LAST_APPLIED}]`, { action: "last-applied" });
  const annotations = rule("annotations", { members: { [LAST_APPLIED]: lastApplied }, anyMember: flags.annotations ? rule("annotations.*", { action: "scan" }) : null });
  const metadata = rule("metadata", { members: { annotations } });
  const template = rule("template", { members: { metadata, spec: podSpec } });

  const id = `${key.apiGroup}/${key.resource}`;
  let object: Rule;
  if (key.subresource === "token" && id === "/serviceaccounts") {
    object = rule("TokenRequest", { members: { metadata, status: rule("status", { members: { token: rule("status.token", { action: flags.tokens ? "secret" : null }) } }) } });
  } else if (id === "authentication.k8s.io/tokenreviews") {
    object = rule("TokenReview", { members: { metadata, spec: rule("spec", { members: { token: rule("spec.token", { action: flags.tokens ? "secret" : null }) } }) } });
  } else if (id === "/secrets") {
    object = rule("Secret", {
      members: { metadata, data: mapOf("data", flags.secrets ? "secret-base64" : null), stringData: mapOf("stringData", flags.secrets ? "secret" : null) },
    });
  } else if (id === "/configmaps") {
    object = rule("ConfigMap", {
      members: { metadata, data: mapOf("data", flags.configMaps ? "detect" : null), binaryData: mapOf("binaryData", flags.configMaps ? "detect-base64" : null) },
    });
  } else if (id === "/pods") {
    object = rule("Pod", { members: { metadata, spec: podSpec } });
  } else if (id === "/podtemplates") {
    object = rule("PodTemplate", { members: { metadata, template } });
  } else if (TEMPLATED.has(id)) {
    object = rule("workload", { members: { metadata, spec: rule("spec", { members: { template } }) } });
  } else if (id === "batch/cronjobs") {
    const jobSpec = rule("jobTemplate.spec", { members: { template } });
    object = rule("CronJob", { members: { metadata, spec: rule("spec", { members: { jobTemplate: rule("jobTemplate", { members: { metadata, spec: jobSpec } }) } }) } });
  } else if (METADATA_ONLY.has(id)) {
    object = rule("metadata-only", { members: { metadata } });
  } else if (isCustomResource(key) && flags.configMaps) {
    // Custom resources: an operator's schema may put a password, a token or a connection string
    // in any field. Every string outside metadata (whose annotations are masked as above) is
    // scanned for known values and detector matches, like free text; env entries, wherever they
    // sit (operators embed pod templates), are masked as units by their name.
    const scanned = rule("custom", { action: "scan" });
    scanned.anyMember = scanned;
    scanned.element = scanned;
    // An entry's other members (anything an operator puts beside name and value) are scanned too.
    const entry = flags.env ? rule("custom.env[]", { envVar: true, action: "scan", anyMember: scanned }) : null;
    scanned.members.set("env", entry ? rule("custom.env", { action: "scan", element: entry, anyMember: scanned }) : scanned);
    scanned.members.set("managedFields", null);
    object = rule("custom-resource", { members: { metadata, apiVersion: null, kind: null }, anyMember: scanned });
  } else {
    // Other built-in resources (controller revisions, webhooks…), and custom resources when
    // configMaps is off: env entries may sit anywhere (operators embed pod templates), so the
    // whole object is walked for them.
    const deep = rule("deep", {});
    deep.anyMember = deep;
    deep.element = deep;
    deep.members.set("env", envVar ? rule("env", { element: envVar }) : deep);
    deep.members.set("managedFields", null);
    object = rule("object", { members: { metadata }, anyMember: deep });
  }
  lastApplied.objectRule = object;

  const row = rule("row", { members: { object, cells: rule("cells", { element: rule("cells[]", { action: "scan" }) }) } });
  // A body is the object itself, or a List (items) or a Table (rows) of it; a Status matches
  // none of the members and passes untouched.
  const body = rule("body", { members: Object.fromEntries([...object.members]), anyMember: object.anyMember });
  body.members.set("items", rule("items", { element: object }));
  body.members.set("rows", rule("rows", { element: row }));
  const event = rule("event", { members: { object: body } });
  return { object, body, event };
}

const cache = new WeakMap<MaskingSettings, Map<string, RuleSet | null>>();

/** The rules for a resource under a profile's settings; null when its responses pass untouched. */
export function ruleSetFor(key: ResourceKey, settings: MaskingSettings): RuleSet | null {
  if (!settings.enabled || !mayCarrySecrets(key)) return null;
  let bySettings = cache.get(settings);
  if (!bySettings) {
    bySettings = new Map();
    cache.set(settings, bySettings);
  }
  const id = `${key.apiGroup}/${key.resource}/${key.subresource}`;
  let rules = bySettings.get(id);
  if (rules === undefined) {
    rules = buildRuleSet(key, settings);
    bySettings.set(id, rules);
  }
  return rules;
}
