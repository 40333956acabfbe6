// A stand-in for a TestContext's `after` that suite-level fixtures can use: node:test's own
// `after`, called from inside a `before` hook, would run as soon as that hook ends.
export interface CleanupScope {
  after(fn: () => unknown): void;
  run(): Promise<void>;
}

export function cleanupScope(): CleanupScope {
  const fns: (() => unknown)[] = [];
  return {
    after(fn) {
      fns.push(fn);
    },
    async run() {
      // Last registered, first run: the gateway stops before the cluster and the temp dir go.
      for (const fn of fns.reverse()) await fn();
    },
  };
}
