// The benchmark agent's policy: the default `guarded` profile (so every request is decided the way
// a real agent's is, rules and all), plus one rule that allows exec in the benchmark namespace —
// guarded would otherwise ask a human, and the exec scenarios would wait for an approval forever.
// A second profile, the same with masking off, is the masking scenarios' reference: the cost of
// masking is the masked agent's figure over the unmasked agent's, through the same engine.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BENCH_NAMESPACE } from "./canned-api.js";

export const BENCH_PROFILE = "bench";
export const UNMASKED_PROFILE = "bench-unmasked";

export const BENCH_POLICY = `# Written by the benchmark suite (test/bench/bench-policy.ts).
version: 1
profiles:
  ${BENCH_PROFILE}:
    description: guarded, plus exec in the benchmark namespace without asking
    extends: guarded
    rules:
      - id: bench-exec
        verb: exec
        namespace: ${BENCH_NAMESPACE}
        action: allow
  ${UNMASKED_PROFILE}:
    description: the bench profile with nothing masked (reference for the masking scenarios)
    extends: ${BENCH_PROFILE}
    masking: false
`;

/** Writes policy.yaml into a data dir, before the engine starts and before the agent is added. */
export function writeBenchPolicy(dataDir: string): void {
  writeFileSync(join(dataDir, "policy.yaml"), BENCH_POLICY, { mode: 0o600 });
}
