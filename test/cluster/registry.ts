// The write pipeline of the generic apiserver registry, in its order: metadata defaulting → admission →
// kind defaulting → validation → storage checks (exists / resourceVersion) → managedFields → store.
// Deletion honours finalizers, preconditions, ownerReference cascading and namespace termination.
// Shared by the HTTP layer and the test-facing store API so both behave the same.
import { randomBytes, randomUUID } from "node:crypto";
import { ObjectStore } from "./store.js";
import { alreadyExists, badRequest, conflict, forbidden, notFound, STALE_OBJECT } from "./status.js";
import { clone, deepEqual, getPath, isObject, metadataOf, str, type JsonObject } from "./json.js";
import { RESOURCE_TYPES, apiVersionOf, storageKey, type ResourceType } from "./resources.js";
import { controllerPasses, prepareForCreate, prepareForUpdate, type KindContext } from "./defaults.js";
import { validateObject } from "./validation.js";
import { encodeManagedFields, managersAfterUpdate, serverSideApply, type ManagerState } from "./managed-fields.js";
import { typeForKind } from "./schema.js";

export interface WriteOptions {
  /** Field manager; undefined skips managedFields bookkeeping (test seeding). */
  manager?: string;
  dryRun?: boolean;
  subresource?: string;
  /** Seeding through the test API: keep a provided status, skip admission. */
  seed?: boolean;
}

export interface DeleteOptions {
  dryRun?: boolean;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
}

const NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

function randomSuffix(length = 5): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += NAME_ALPHABET[b % NAME_ALPHABET.length];
  return out;
}

/** Seconds-precision RFC 3339, the way metav1.Time serializes. */
export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

const SERVER_OWNED_META = ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "generation"];

/** Kinds whose PUT creates a missing object (AllowCreateOnUpdate in their strategies). */
function allowCreateOnUpdate(type: ResourceType): boolean {
  return type.group === "rbac.authorization.k8s.io" || type.resource === "events";
}

export class Registry {
  private podIp = 10;
  private clusterIp = 10;
  readonly kinds: KindContext;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    readonly store: ObjectStore,
    private readonly caPem: string,
  ) {
    this.kinds = {
      now: nowTimestamp,
      nodeName: "chaperone-control-plane",
      nextPodIp: () => `10.244.0.${(this.podIp++ % 250) + 2}`,
      nextClusterIp: () => `10.96.${Math.floor(this.clusterIp / 250) % 250}.${(this.clusterIp++ % 250) + 2}`,
    };
  }

  dispose(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  get(type: ResourceType, namespace: string | undefined, name: string): JsonObject {
    const obj = this.store.get(storageKey(type), type.namespaced ? namespace : undefined, name);
    if (!obj) throw notFound(type.group, type.resource, name);
    return withTypeMeta(type, obj);
  }

  private checkNamespace(type: ResourceType, namespace: string | undefined): void {
    if (!type.namespaced) return;
    const ns = this.store.get("/namespaces", undefined, namespace ?? "");
    if (!ns) throw notFound("", "namespaces", namespace ?? "");
    if (getPath(ns, ["status", "phase"]) === "Terminating") {
      throw forbidden(`${type.resource} "${str(getPath(ns, ["metadata", "name"]))}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`, {
        name: namespace ?? "",
        kind: type.resource,
        causes: [{ reason: "NamespaceTerminating", message: `namespace ${namespace} is being terminated`, field: "metadata.namespace" }],
      } as never);
    }
  }

  private admit(type: ResourceType, obj: JsonObject, namespace: string | undefined): void {
    if (type.group === "" && type.resource === "pods") {
      const sa = str(getPath(obj, ["spec", "serviceAccountName"])) || str(getPath(obj, ["spec", "serviceAccount"])) || "default";
      if (!this.store.has("/serviceaccounts", namespace, sa)) {
        throw forbidden(`pods "${str(getPath(obj, ["metadata", "name"]))}" is forbidden: error looking up service account ${namespace}/${sa}: serviceaccount "${sa}" not found`, {
          name: str(getPath(obj, ["metadata", "name"])),
          kind: "pods",
        });
      }
    }
  }

  private managedFieldsFor(type: ResourceType, before: JsonObject, after: JsonObject, options: WriteOptions): ManagerState[] | undefined {
    if (!options.manager) return undefined;
    return managersAfterUpdate(before, after, {
      manager: options.manager,
      apiVersion: apiVersionOf(type),
      schema: typeForKind(type.kind),
      ...(options.subresource ? { subresource: options.subresource } : {}),
      resetStatus: options.subresource !== "status",
      now: nowTimestamp(),
    });
  }

  create(type: ResourceType, namespace: string | undefined, body: JsonObject, options: WriteOptions, presetManagers?: ManagerState[]): JsonObject {
    const obj = clone(body);
    obj["apiVersion"] = apiVersionOf(type);
    obj["kind"] = type.kind;
    const meta = metadataOf(obj);
    if (type.namespaced) {
      const bodyNs = str(meta["namespace"]);
      if (bodyNs && namespace && bodyNs !== namespace) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      meta["namespace"] = namespace ?? (bodyNs || "default");
    } else {
      delete meta["namespace"];
    }
    const ns = type.namespaced ? str(meta["namespace"]) : undefined;
    if (!options.seed && str(meta["resourceVersion"])) throw badRequest("resourceVersion should not be set on objects to be created");
    delete meta["resourceVersion"];
    for (const k of SERVER_OWNED_META) if (!options.seed || k !== "creationTimestamp") delete meta[k];
    if (!str(meta["name"]) && str(meta["generateName"])) {
      do meta["name"] = `${str(meta["generateName"])}${randomSuffix()}`;
      while (this.store.has(storageKey(type), ns, str(meta["name"])));
    }
    meta["uid"] = randomUUID();
    if (!meta["creationTimestamp"]) meta["creationTimestamp"] = nowTimestamp();
    this.checkNamespace(type, ns);
    if (!options.seed) this.admit(type, obj, ns);
    const seededStatus = options.seed && isObject(obj["status"]) ? obj["status"] : undefined;
    prepareForCreate(type, obj, this.kinds);
    validateObject(type, obj);
    const name = str(meta["name"]);
    if (this.store.has(storageKey(type), ns, name)) throw alreadyExists(type.group, type.resource, name);
    const managers = presetManagers ?? this.managedFieldsFor(type, {}, obj, options);
    if (managers) meta["managedFields"] = encodeManagedFields(managers);
    else delete meta["managedFields"];
    this.runControllers(type, obj, undefined, managers !== undefined, seededStatus);
    if (options.dryRun) return obj;
    const stored = this.store.write(storageKey(type), obj);
    if (type.group === "" && type.resource === "namespaces") this.populateNamespace(name);
    return withTypeMeta(type, stored);
  }

  /** Applies the kubelet/controller passes, attributing each one's changes to its own field manager. */
  private runControllers(type: ResourceType, obj: JsonObject, old: JsonObject | undefined, trackManagers: boolean, seededStatus?: JsonObject): void {
    for (const pass of controllerPasses(type, this.kinds)) {
      const before = clone(obj);
      if (seededStatus !== undefined && pass.subresource === "status") obj["status"] = clone(seededStatus);
      else pass.run(obj, old);
      if (!trackManagers || deepEqual(before, obj)) continue;
      const managers = managersAfterUpdate(before, obj, {
        manager: pass.manager,
        apiVersion: apiVersionOf(type),
        schema: typeForKind(type.kind),
        ...(pass.subresource ? { subresource: pass.subresource } : {}),
        resetStatus: pass.subresource !== "status",
        now: nowTimestamp(),
      });
      metadataOf(obj)["managedFields"] = encodeManagedFields(managers);
    }
    if (seededStatus !== undefined && isObject(obj) && obj["status"] === undefined) obj["status"] = clone(seededStatus);
  }

  /** What the service-account and root-CA controllers create in every new namespace. */
  private populateNamespace(namespace: string): void {
    const sa = types.serviceaccounts();
    const cm = types.configmaps();
    if (!this.store.has("/serviceaccounts", namespace, "default")) {
      this.create(sa, namespace, { metadata: { name: "default" } }, { seed: true });
    }
    if (!this.store.has("/configmaps", namespace, "kube-root-ca.crt")) {
      this.create(
        cm,
        namespace,
        {
          metadata: { name: "kube-root-ca.crt", annotations: { "kubernetes.io/description": "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." } },
          data: { "ca.crt": this.caPem },
        },
        { seed: true, manager: "kube-controller-manager" },
      );
    }
  }

  update(type: ResourceType, namespace: string | undefined, name: string, body: JsonObject, options: WriteOptions, presetManagers?: ManagerState[]): { object: JsonObject; created: boolean } {
    const ns = type.namespaced ? namespace : undefined;
    const old = this.store.get(storageKey(type), ns, name);
    const obj = clone(body);
    const meta = metadataOf(obj);
    const bodyName = str(meta["name"]);
    if (bodyName !== name) throw badRequest(`the name of the object (${bodyName}) does not match the name on the URL (${name})`);
    if (type.namespaced) {
      const bodyNs = str(meta["namespace"]);
      if (bodyNs && bodyNs !== ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      meta["namespace"] = ns ?? "";
    } else {
      delete meta["namespace"];
    }
    if (!old) {
      if (allowCreateOnUpdate(type) && !options.subresource) {
        delete meta["resourceVersion"];
        return { object: this.create(type, ns, obj, options, presetManagers), created: true };
      }
      throw notFound(type.group, type.resource, name);
    }
    obj["apiVersion"] = apiVersionOf(type);
    obj["kind"] = type.kind;
    const oldMeta = metadataOf(old);
    const rv = str(meta["resourceVersion"]);
    if (rv && rv !== str(oldMeta["resourceVersion"])) throw conflict(type.group, type.resource, name, STALE_OBJECT);
    for (const k of SERVER_OWNED_META) {
      if (oldMeta[k] === undefined) delete meta[k];
      else meta[k] = clone(oldMeta[k]);
    }
    meta["resourceVersion"] = oldMeta["resourceVersion"] ?? "";
    prepareForUpdate(type, obj, withTypeMeta(type, old), this.kinds, options.subresource);
    validateObject(type, obj, old);
    const managers = presetManagers ?? this.managedFieldsFor(type, old, obj, options);
    if (managers) meta["managedFields"] = encodeManagedFields(managers);
    else if (!presetManagers && !options.manager && oldMeta["managedFields"] !== undefined && meta["managedFields"] === undefined) {
      meta["managedFields"] = clone(oldMeta["managedFields"]);
    }
    if (options.subresource !== "status") this.runControllers(type, obj, withTypeMeta(type, old), meta["managedFields"] !== undefined);
    if (deepEqual(obj, withTypeMeta(type, old))) return { object: withTypeMeta(type, old), created: false };
    // An object that is being deleted goes away once its last finalizer is removed.
    if (oldMeta["deletionTimestamp"] && (!Array.isArray(meta["finalizers"]) || meta["finalizers"].length === 0)) {
      if (options.dryRun) return { object: obj, created: false };
      this.store.write(storageKey(type), obj);
      const gone = this.store.remove(storageKey(type), ns, name);
      return { object: withTypeMeta(type, gone ?? obj), created: false };
    }
    if (options.dryRun) return { object: obj, created: false };
    return { object: withTypeMeta(type, this.store.write(storageKey(type), obj)), created: false };
  }

  /** Server-side apply: create-or-merge with field ownership. */
  apply(type: ResourceType, namespace: string | undefined, name: string, config: JsonObject, options: WriteOptions & { manager: string; force: boolean }): { object: JsonObject; created: boolean } {
    const ns = type.namespaced ? namespace : undefined;
    const meta = metadataOf(config);
    if (meta["name"] === undefined) meta["name"] = name;
    if (str(meta["name"]) !== name) throw badRequest(`the name of the object (${str(meta["name"])}) does not match the name on the URL (${name})`);
    if (type.namespaced) {
      if (meta["namespace"] !== undefined && str(meta["namespace"]) !== ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
    }
    if (meta["managedFields"] !== undefined) throw badRequest("metadata.managedFields must be nil");
    const live = this.store.get(storageKey(type), ns, name);
    const ctx = {
      manager: options.manager,
      apiVersion: apiVersionOf(type),
      schema: typeForKind(type.kind),
      ...(options.subresource ? { subresource: options.subresource } : {}),
      resetStatus: options.subresource !== "status",
      now: nowTimestamp(),
      force: options.force,
    };
    const { object, managers } = serverSideApply(live ? withTypeMeta(type, live) : undefined, config, ctx);
    if (!live) {
      const created = this.create(type, ns, object, options, managers);
      return { object: created, created: true };
    }
    const merged = object;
    metadataOf(merged)["resourceVersion"] = str(getPath(live, ["metadata", "resourceVersion"]));
    return this.update(type, ns, name, merged, options, managers);
  }

  delete(type: ResourceType, namespace: string | undefined, name: string, options: DeleteOptions = {}): JsonObject {
    const ns = type.namespaced ? namespace : undefined;
    const bucket = storageKey(type);
    const old = this.store.get(bucket, ns, name);
    if (!old) throw notFound(type.group, type.resource, name);
    const meta = metadataOf(old);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== str(meta["uid"])) {
      throw conflict(type.group, type.resource, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${str(meta["uid"])}`);
    }
    if (pre?.resourceVersion && pre.resourceVersion !== str(meta["resourceVersion"])) {
      throw conflict(type.group, type.resource, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${str(meta["resourceVersion"])}`);
    }
    if (options.dryRun) return withTypeMeta(type, old);
    if (type.group === "" && type.resource === "namespaces") return this.terminateNamespace(type, old);
    const finalizers = meta["finalizers"];
    if (Array.isArray(finalizers) && finalizers.length > 0) {
      if (meta["deletionTimestamp"]) return withTypeMeta(type, old);
      meta["deletionTimestamp"] = nowTimestamp();
      meta["deletionGracePeriodSeconds"] = 0;
      return withTypeMeta(type, this.store.write(bucket, old));
    }
    const gone = this.store.remove(bucket, ns, name) ?? old;
    this.cascade(str(meta["uid"]), ns, options.propagationPolicy ?? "Background");
    return withTypeMeta(type, gone);
  }

  /** Garbage collection of dependents (ownerReferences), which a real cluster's GC controller does. */
  private cascade(ownerUid: string, namespace: string | undefined, policy: string): void {
    for (const t of RESOURCE_TYPES) {
      if (t.virtual) continue;
      for (const dep of this.store.list(storageKey(t), t.namespaced ? namespace : undefined)) {
        const refs = getPath(dep, ["metadata", "ownerReferences"]);
        if (!Array.isArray(refs) || !refs.some((r) => isObject(r) && r["uid"] === ownerUid)) continue;
        const depMeta = metadataOf(dep);
        if (policy === "Orphan") {
          depMeta["ownerReferences"] = refs.filter((r) => !(isObject(r) && r["uid"] === ownerUid));
          this.store.write(storageKey(t), dep);
        } else {
          try {
            this.delete(t, str(depMeta["namespace"]) || undefined, str(depMeta["name"]), { propagationPolicy: policy });
          } catch {
            // Already gone.
          }
        }
      }
    }
  }

  private terminateNamespace(type: ResourceType, ns: JsonObject): JsonObject {
    const meta = metadataOf(ns);
    const name = str(meta["name"]);
    if (getPath(ns, ["status", "phase"]) === "Terminating") return withTypeMeta(type, ns);
    meta["deletionTimestamp"] = nowTimestamp();
    ns["status"] = {
      phase: "Terminating",
      conditions: [],
    };
    const terminating = this.store.write(storageKey(type), ns);
    // The namespace controller empties the namespace, then removes the `kubernetes` finalizer.
    for (const t of RESOURCE_TYPES) {
      if (!t.namespaced || t.virtual) continue;
      for (const obj of this.store.list(storageKey(t), name)) {
        this.store.remove(storageKey(t), name, str(getPath(obj, ["metadata", "name"])));
      }
    }
    this.later(() => {
      this.store.remove(storageKey(type), undefined, name);
    }, 25);
    return withTypeMeta(type, terminating);
  }
}

export function withTypeMeta(type: ResourceType, obj: JsonObject): JsonObject {
  if (obj["apiVersion"] === apiVersionOf(type) && obj["kind"] === type.kind) return obj;
  const { apiVersion: _a, kind: _k, ...rest } = obj;
  return { apiVersion: apiVersionOf(type), kind: type.kind, ...rest };
}

const find = (group: string, resource: string) => (): ResourceType => {
  const t = RESOURCE_TYPES.find((x) => x.group === group && x.resource === resource);
  if (!t) throw new Error(`no resource ${resource}`);
  return t;
};

export const types = {
  namespaces: find("", "namespaces"),
  pods: find("", "pods"),
  serviceaccounts: find("", "serviceaccounts"),
  configmaps: find("", "configmaps"),
  deployments: find("apps", "deployments"),
};

export { ObjectStore };
