// In-memory object storage with one global, monotonically increasing resourceVersion (as etcd's revision
// is for a real cluster) and a bounded history of changes so watches can resume from a resourceVersion.
// Objects are stored and handed out as deep copies; callers never share references with the store.
import { clone, getPath, str, type JsonObject } from "./json.js";

export type ChangeType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: ChangeType;
  /** Storage bucket, `group/resource` (e.g. `/pods`, `apps/deployments`). */
  bucket: string;
  resourceVersion: number;
  object: JsonObject;
  /** The object before a MODIFIED or DELETED change. */
  previous?: JsonObject;
}

export type StoreListener = (event: StoreEvent) => void;

/** Real clusters start far from zero; tests should not be able to assume small numbers. */
const FIRST_RESOURCE_VERSION = 1000;

export class ObjectStore {
  private revision = FIRST_RESOURCE_VERSION;
  private readonly buckets = new Map<string, Map<string, JsonObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<StoreListener>();

  constructor(private readonly historyLimit = 20000) {}

  get resourceVersion(): number {
    return this.revision;
  }

  /** The oldest resourceVersion a watch may resume from (exclusive). */
  get oldestResumable(): number {
    const first = this.history[0];
    return first ? first.resourceVersion - 1 : this.revision;
  }

  private bucket(name: string): Map<string, JsonObject> {
    let b = this.buckets.get(name);
    if (!b) {
      b = new Map();
      this.buckets.set(name, b);
    }
    return b;
  }

  static key(namespace: string | undefined, name: string): string {
    return `${namespace ?? ""}/${name}`;
  }

  get(bucket: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const found = this.buckets.get(bucket)?.get(ObjectStore.key(namespace, name));
    return found ? clone(found) : undefined;
  }

  has(bucket: string, namespace: string | undefined, name: string): boolean {
    return this.buckets.get(bucket)?.has(ObjectStore.key(namespace, name)) ?? false;
  }

  /** Objects sorted by namespace then name, as etcd's key order returns them. */
  list(bucket: string, namespace?: string): JsonObject[] {
    const b = this.buckets.get(bucket);
    if (!b) return [];
    const keys = [...b.keys()].filter((k) => namespace === undefined || k.startsWith(`${namespace}/`)).sort();
    return keys.map((k) => clone(b.get(k) as JsonObject));
  }

  /**
   * Stores `object` (whose metadata must already be complete except resourceVersion), assigning the next
   * resourceVersion, and notifies watchers. Returns the stored copy.
   */
  write(bucket: string, object: JsonObject): JsonObject {
    const namespace = str(getPath(object, ["metadata", "namespace"])) || undefined;
    const name = str(getPath(object, ["metadata", "name"]));
    const key = ObjectStore.key(namespace, name);
    const b = this.bucket(bucket);
    const previous = b.get(key);
    this.revision++;
    const stored = clone(object);
    (stored["metadata"] as JsonObject)["resourceVersion"] = String(this.revision);
    b.set(key, stored);
    const event: StoreEvent = { type: previous ? "MODIFIED" : "ADDED", bucket, resourceVersion: this.revision, object: stored };
    if (previous) event.previous = previous;
    this.record(event);
    return clone(stored);
  }

  /** Removes an object; the DELETED event carries the object at a new resourceVersion, like etcd's delete revision. */
  remove(bucket: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const b = this.buckets.get(bucket);
    const key = ObjectStore.key(namespace, name);
    const previous = b?.get(key);
    if (!b || !previous) return undefined;
    b.delete(key);
    this.revision++;
    const tombstone = clone(previous);
    (tombstone["metadata"] as JsonObject)["resourceVersion"] = String(this.revision);
    this.record({ type: "DELETED", bucket, resourceVersion: this.revision, object: tombstone, previous });
    return clone(tombstone);
  }

  private record(event: StoreEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) this.history.splice(0, this.history.length - this.historyLimit);
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A misbehaving watcher must not break writes for everyone else.
      }
    }
  }

  /** Changes after `resourceVersion`, or undefined when that point has fallen out of the kept history. */
  eventsSince(resourceVersion: number): StoreEvent[] | undefined {
    if (resourceVersion < this.oldestResumable) return undefined;
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  onChange(listener: StoreListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
