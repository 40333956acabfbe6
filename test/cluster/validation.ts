// Request body checks in the order the apiserver applies them:
// 1. decoding: a value of the wrong JSON type is 400 BadRequest ("cannot be handled as a Pod");
// 2. field validation (`fieldValidation` Strict/Warn/Ignore, default Warn): unknown fields are a 400
//    "strict decoding error" or `Warning:` headers;
// 3. semantic validation: 422 Invalid with one cause per field error.
import { badRequest, duplicate, forbiddenField, invalid, invalidValue, notSupported, required, type ApiError, type FieldError } from "./status.js";
import { deepEqual, getPath, isObject, str, type Json, type JsonObject } from "./json.js";
import { qualifiedKind, type ResourceType } from "./resources.js";
import { isList, isMap, resolveRef, typeForKind, type StructType, type TypeRef } from "./schema.js";
import { labelSelectorFromObject, matchesLabels } from "./selectors.js";

function goTypeName(t: TypeRef): string {
  if (typeof t === "string") {
    return { string: "string", integer: "int32", number: "float64", boolean: "bool", "int-or-string": "intstr.IntOrString", quantity: "resource.Quantity", time: "v1.Time", bytes: "[]uint8", any: "interface {}" }[t];
  }
  if (isList(t)) return `[]${goTypeName(t.list).replace(/^v1\./, "v1.")}`;
  if (isMap(t)) return `map[string]${goTypeName(t.map)}`;
  return `v1.${resolveRef(t)?.goName ?? "Object"}`;
}

function jsonTypeName(v: Json): string {
  if (Array.isArray(v)) return "array";
  if (v === null) return "null";
  if (typeof v === "object") return "object";
  return typeof v;
}

function typeMatches(t: TypeRef, v: Json): boolean {
  if (v === null) return true;
  if (typeof t === "string") {
    switch (t) {
      case "string":
      case "time":
        return typeof v === "string";
      case "bytes":
        return typeof v === "string";
      case "integer":
        return typeof v === "number" && Number.isInteger(v);
      case "number":
        return typeof v === "number";
      case "boolean":
        return typeof v === "boolean";
      case "int-or-string":
        return typeof v === "string" || (typeof v === "number" && Number.isInteger(v));
      case "quantity":
        return typeof v === "string" || typeof v === "number";
      case "any":
        return true;
    }
  }
  if (isList(t)) return Array.isArray(v);
  return isObject(v);
}

export interface FieldProblems {
  unknown: string[];
  decodeError?: string;
}

/** Walks a body against the kind's schema, collecting unknown fields and the first type error. */
export function checkFields(kind: string, obj: JsonObject): FieldProblems {
  const problems: FieldProblems = { unknown: [] };
  const walkStruct = (struct: StructType, value: JsonObject, path: string, goPath: string): void => {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path ? `${path}.${key}` : key;
      const childGoPath = goPath ? `${goPath}.${key}` : key;
      const t = struct.fields[key];
      if (t === undefined) {
        if (!struct.open) problems.unknown.push(childPath);
        continue;
      }
      walkValue(t, child, childPath, childGoPath, struct.goName);
    }
  };
  const walkValue = (t: TypeRef, v: Json, path: string, goPath: string, parentGo: string): void => {
    if (problems.decodeError) return;
    if (!typeMatches(t, v)) {
      const got = jsonTypeName(v);
      const what = got === "number" && t === "integer" ? `number ${String(v)}` : got;
      problems.decodeError = `json: cannot unmarshal ${what} into Go struct field ${parentGo}.${goPath} of type ${goTypeName(t)}`;
      return;
    }
    if (v === null) return;
    if (t === "bytes" && typeof v === "string" && !/^[A-Za-z0-9+/]*={0,2}$/.test(v)) {
      const at = v.search(/[^A-Za-z0-9+/=]/);
      problems.decodeError = `illegal base64 data at input byte ${at < 0 ? v.length : at}`;
      return;
    }
    if (isList(t) && Array.isArray(v)) {
      v.forEach((item, i) => walkValue(t.list, item, `${path}[${i}]`, goPath, parentGo));
    } else if (isMap(t) && isObject(v)) {
      for (const [k, item] of Object.entries(v)) walkValue(t.map, item, `${path}.${k}`, goPath, parentGo);
    } else if (typeof t === "object" && "ref" in t && isObject(v)) {
      const struct = resolveRef(t);
      if (struct) walkStruct(struct, v, path, goPath);
    }
  };
  walkStruct(typeForKind(kind), obj, "", "");
  return problems;
}

export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Applies decode and field-validation rules; returns warnings to send as `Warning:` headers. */
export function decodeChecks(type: Pick<ResourceType, "kind" | "version"> & { group: string }, obj: JsonObject, mode: FieldValidation): string[] {
  const problems = checkFields(type.kind, obj);
  if (problems.decodeError) {
    throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${problems.decodeError}`);
  }
  if (problems.unknown.length === 0 || mode === "Ignore") return [];
  if (mode === "Strict") {
    throw badRequest(`strict decoding error: ${problems.unknown.map((f) => `unknown field "${f}"`).join(", ")}`);
  }
  return problems.unknown.map((f) => `unknown field "${f}"`);
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QUALIFIED_NAME = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

function nameErrors(type: ResourceType, name: string, field: string): FieldError[] {
  if (type.group === "rbac.authorization.k8s.io") {
    if (name === "." || name === ".." || /[/%]/.test(name)) return [invalidValue(field, name, "may not contain '/' or '%'")];
    return [];
  }
  const labelOnly = type.resource === "namespaces" || type.resource === "services";
  if (labelOnly) {
    if (name.length > 63) return [invalidValue(field, name, "must be no more than 63 characters")];
    if (!DNS1123_LABEL.test(name)) return [invalidValue(field, name, LABEL_MSG)];
    return [];
  }
  if (name.length > 253) return [invalidValue(field, name, "must be no more than 253 characters")];
  if (!DNS1123_SUBDOMAIN.test(name)) return [invalidValue(field, name, SUBDOMAIN_MSG)];
  return [];
}

function metadataErrors(type: ResourceType, obj: JsonObject, prefix = "metadata"): FieldError[] {
  const errors: FieldError[] = [];
  const labels = getPath(obj, ["metadata", "labels"]);
  if (isObject(labels)) {
    for (const [k, v] of Object.entries(labels)) {
      if (!QUALIFIED_NAME.test(k) || k.split("/").pop()!.length > 63) {
        errors.push(invalidValue(`${prefix}.labels`, k, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"));
      }
      const value = str(v);
      if (value.length > 63 || !LABEL_VALUE.test(value)) {
        errors.push(invalidValue(`${prefix}.labels`, value, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
      }
    }
  }
  const annotations = getPath(obj, ["metadata", "annotations"]);
  if (isObject(annotations)) {
    for (const k of Object.keys(annotations)) {
      if (!QUALIFIED_NAME.test(k)) errors.push(invalidValue(`${prefix}.annotations`, k, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
    }
    const size = Object.entries(annotations).reduce((n, [k, v]) => n + k.length + str(v).length, 0);
    if (size > 256 * 1024) errors.push({ type: "FieldValueTooLong", field: `${prefix}.annotations`, detail: "Too long: must have at most 262144 bytes" });
  }
  if (type && prefix === "metadata") {
    const name = str(getPath(obj, ["metadata", "name"]));
    if (name) errors.push(...nameErrors(type, name, "metadata.name"));
  }
  return errors;
}

const list = (v: unknown): JsonObject[] => (Array.isArray(v) ? v.filter(isObject) : []);

function containerErrors(containers: unknown, field: string, requireSome: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const items = list(containers);
  if (items.length === 0) {
    if (requireSome) errors.push(required(field));
    return errors;
  }
  const seen = new Set<string>();
  items.forEach((c, i) => {
    const at = `${field}[${i}]`;
    const name = str(c["name"]);
    if (!name) errors.push(required(`${at}.name`));
    else if (!DNS1123_LABEL.test(name)) errors.push(invalidValue(`${at}.name`, name, LABEL_MSG));
    else if (seen.has(name)) errors.push(duplicate(`${at}.name`, name));
    seen.add(name);
    if (!str(c["image"])) errors.push(required(`${at}.image`));
    list(c["ports"]).forEach((p, j) => {
      const port = p["containerPort"];
      if (typeof port !== "number" || port < 1 || port > 65535) {
        errors.push(invalidValue(`${at}.ports[${j}].containerPort`, port ?? 0, "must be between 1 and 65535, inclusive"));
      }
      const proto = p["protocol"];
      if (proto !== undefined && !["TCP", "UDP", "SCTP"].includes(str(proto))) errors.push(notSupported(`${at}.ports[${j}].protocol`, proto, ["SCTP", "TCP", "UDP"]));
    });
    list(c["env"]).forEach((e, j) => {
      if (!str(e["name"])) errors.push(required(`${at}.env[${j}].name`));
    });
    const pull = c["imagePullPolicy"];
    if (pull !== undefined && !["Always", "IfNotPresent", "Never"].includes(str(pull))) {
      errors.push(notSupported(`${at}.imagePullPolicy`, pull, ["Always", "IfNotPresent", "Never"]));
    }
  });
  return errors;
}

function podSpecErrors(spec: unknown, field: string, template: boolean): FieldError[] {
  if (!isObject(spec)) return [required(`${field}.containers`)];
  const errors = [...containerErrors(spec["containers"], `${field}.containers`, true), ...containerErrors(spec["initContainers"], `${field}.initContainers`, false)];
  const restart = spec["restartPolicy"];
  if (restart !== undefined) {
    const allowed = template ? ["Always"] : ["Always", "OnFailure", "Never"];
    if (!allowed.includes(str(restart))) errors.push(notSupported(`${field}.restartPolicy`, restart, allowed));
  }
  const volumes = list(spec["volumes"]);
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const n = str(v["name"]);
    if (!n) errors.push(required(`${field}.volumes[${i}].name`));
    else if (names.has(n)) errors.push(duplicate(`${field}.volumes[${i}].name`, n));
    names.add(n);
  });
  return errors;
}

function workloadErrors(obj: JsonObject, isDeployment: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const spec = obj["spec"];
  if (!isObject(spec)) return [required("spec.selector"), required("spec.template.spec.containers")];
  const replicas = spec["replicas"];
  if (typeof replicas === "number" && replicas < 0) errors.push(invalidValue("spec.replicas", replicas, "must be greater than or equal to 0"));
  const selector = spec["selector"];
  const templateLabels = getPath(spec, ["template", "metadata", "labels"]);
  if (!isObject(selector) || (Object.keys(selector["matchLabels"] ?? {}).length === 0 && list(selector["matchExpressions"]).length === 0)) {
    errors.push(required("spec.selector"));
    if (!isObject(selector)) errors.push(invalidValue("spec.selector", "null", "empty selector is invalid for deployment"));
  } else if (!matchesLabels(labelSelectorFromObject(selector), isObject(templateLabels) ? templateLabels : {})) {
    errors.push(invalidValue("spec.template.metadata.labels", goMap(templateLabels), "`selector` does not match template `labels`"));
  }
  errors.push(...podSpecErrors(getPath(spec, ["template", "spec"]), "spec.template.spec", true));
  if (isDeployment) {
    const strategy = getPath(spec, ["strategy", "type"]);
    if (strategy !== undefined && !["Recreate", "RollingUpdate"].includes(str(strategy))) errors.push(notSupported("spec.strategy.type", strategy, ["Recreate", "RollingUpdate"]));
  }
  return errors;
}

function goMap(v: unknown): string {
  if (!isObject(v)) return "map[string]string(nil)";
  return `map[string]string{${Object.entries(v)
    .map(([k, val]) => `"${k}":"${str(val)}"`)
    .join(", ")}}`;
}

function dataKeyErrors(obj: JsonObject, fields: string[]): FieldError[] {
  const errors: FieldError[] = [];
  for (const f of fields) {
    const data = obj[f];
    if (!isObject(data)) continue;
    for (const k of Object.keys(data)) {
      if (!CONFIG_KEY.test(k) || k.length > 253) errors.push(invalidValue(`${f}[${k}]`, k, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
    }
  }
  return errors;
}

function ruleErrors(obj: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  list(obj["rules"]).forEach((r, i) => {
    const verbs = r["verbs"];
    if (!Array.isArray(verbs) || verbs.length === 0) errors.push(required(`rules[${i}].verbs`, "verbs must contain at least one value"));
    const nonResource = Array.isArray(r["nonResourceURLs"]) && r["nonResourceURLs"].length > 0;
    if (!nonResource && (!Array.isArray(r["apiGroups"]) || r["apiGroups"].length === 0)) {
      errors.push(required(`rules[${i}].apiGroups`, "resource rules must supply at least one api group"));
    }
    if (!nonResource && (!Array.isArray(r["resources"]) || r["resources"].length === 0)) {
      errors.push(required(`rules[${i}].resources`, "resource rules must supply at least one resource"));
    }
  });
  return errors;
}

function bindingErrors(obj: JsonObject, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const roleRef = obj["roleRef"];
  if (!isObject(roleRef)) {
    errors.push(required("roleRef.name"));
  } else {
    if (str(roleRef["apiGroup"]) !== "rbac.authorization.k8s.io") errors.push(notSupported("roleRef.apiGroup", roleRef["apiGroup"] ?? "", ["rbac.authorization.k8s.io"]));
    const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
    if (!kinds.includes(str(roleRef["kind"]))) errors.push(notSupported("roleRef.kind", roleRef["kind"] ?? "", kinds));
    if (!str(roleRef["name"])) errors.push(required("roleRef.name"));
  }
  list(obj["subjects"]).forEach((s, i) => {
    const kind = str(s["kind"]);
    if (!["User", "Group", "ServiceAccount"].includes(kind)) errors.push(notSupported(`subjects[${i}].kind`, kind, ["Group", "ServiceAccount", "User"]));
    if (!str(s["name"])) errors.push(required(`subjects[${i}].name`));
    if (kind === "ServiceAccount" && !namespaced && !str(s["namespace"])) errors.push(required(`subjects[${i}].namespace`));
  });
  return errors;
}

const POD_MUTABLE_MESSAGE =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)";

function podUpdateErrors(obj: JsonObject, old: JsonObject): FieldError[] {
  const normalize = (spec: unknown): unknown => {
    if (!isObject(spec)) return spec;
    const copy = structuredClone(spec);
    for (const k of ["containers", "initContainers"]) {
      const cs = copy[k];
      if (Array.isArray(cs)) for (const c of cs) if (isObject(c)) delete c["image"];
    }
    delete copy["activeDeadlineSeconds"];
    delete copy["tolerations"];
    delete copy["terminationGracePeriodSeconds"];
    return copy;
  };
  if (!deepEqual(normalize(obj["spec"]), normalize(old["spec"]))) return [forbiddenField("spec", POD_MUTABLE_MESSAGE)];
  return [];
}

/** Semantic validation (422). `old` is set for updates. */
export function validateObject(type: ResourceType, obj: JsonObject, old?: JsonObject): void {
  const name = str(getPath(obj, ["metadata", "name"]));
  const errors: FieldError[] = [];
  if (!name) errors.push(required("metadata.name", "name or generateName is required"));
  errors.push(...metadataErrors(type, obj));
  switch (`${type.group}/${type.resource}`) {
    case "/pods":
      errors.push(...podSpecErrors(obj["spec"], "spec", false));
      if (old) errors.push(...podUpdateErrors(obj, old));
      break;
    case "apps/deployments":
    case "apps/replicasets":
      errors.push(...workloadErrors(obj, type.resource === "deployments"));
      if (old && !deepEqual(getPath(obj, ["spec", "selector"]), getPath(old, ["spec", "selector"]))) {
        errors.push(invalidValue("spec.selector", getPath(obj, ["spec", "selector"]), "field is immutable"));
      }
      break;
    case "/secrets":
    case "/configmaps":
      errors.push(...dataKeyErrors(obj, ["data", "binaryData"]));
      if (old && old["immutable"] === true) {
        if (!deepEqual(obj["data"], old["data"]) || !deepEqual(obj["binaryData"], old["binaryData"])) {
          errors.push(forbiddenField("data", "field is immutable when `immutable` is set"));
        }
        if (obj["immutable"] !== true) errors.push(forbiddenField("immutable", "field is immutable when `immutable` is set"));
      }
      if (type.resource === "secrets" && old && str(obj["type"]) !== str(old["type"])) {
        errors.push(invalidValue("type", str(obj["type"]), "field is immutable"));
      }
      break;
    case "/services": {
      const spec = obj["spec"];
      const ports = isObject(spec) ? list(spec["ports"]) : [];
      const headless = isObject(spec) && (spec["clusterIP"] === "None" || spec["type"] === "ExternalName");
      if (ports.length === 0 && !headless) errors.push(required("spec.ports"));
      ports.forEach((p, i) => {
        const port = p["port"];
        if (typeof port !== "number" || port < 1 || port > 65535) errors.push(invalidValue(`spec.ports[${i}].port`, port ?? 0, "must be between 1 and 65535, inclusive"));
      });
      break;
    }
    case "rbac.authorization.k8s.io/roles":
    case "rbac.authorization.k8s.io/clusterroles":
      errors.push(...ruleErrors(obj));
      break;
    case "rbac.authorization.k8s.io/rolebindings":
    case "rbac.authorization.k8s.io/clusterrolebindings":
      errors.push(...bindingErrors(obj, type.namespaced));
      if (old && !deepEqual(obj["roleRef"], old["roleRef"])) errors.push(invalidValue("roleRef", obj["roleRef"], "cannot change roleRef"));
      break;
  }
  if (errors.length > 0) throw invalid(qualifiedKind(type), name, errors, type.group) as ApiError;
}
