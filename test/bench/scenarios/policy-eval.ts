// The policy engine's own cost per request (policy-eval.ts, in this process): a microbenchmark
// rather than a three-target measurement, kept in the suite so its figure is recorded with the
// others and every policy change shows what it did to it.
import { runPolicyEvalBench } from "../policy-eval.js";
import { atMost } from "../checks.js";
import type { Scenario } from "../scenario.js";

const TITLE = "Policy evaluation (100 rules extending guarded, in-process)";

export const policyEvalScenario: Scenario = {
  id: "policy-eval",
  title: TITLE,
  async run(context) {
    const result = runPolicyEvalBench(Math.max(20_000, Math.round(200_000 * context.options.scale)));
    return {
      id: "policy-eval",
      title: TITLE,
      method: "a mix of 8 requests (reads, writes with guardrail body scans, exec, discovery) evaluated back to back after JIT warm-up; see test/bench/policy-eval.ts",
      columns: [
        { key: "mean", label: "mean", unit: "µs/req", digits: 2 },
        { key: "worst", label: "slowest request", unit: "µs/req", digits: 2 },
        { key: "withCel", label: "with one CEL rule", unit: "µs/req", digits: 2 },
        { key: "celCompile", label: "CEL compile", unit: "µs", digits: 1 },
        { key: "celEval", label: "CEL evaluate", unit: "µs", digits: 2 },
      ],
      rows: [
        {
          label: "policy engine",
          kind: "target",
          values: { mean: result.usPerRequest, worst: result.usPerRequestWorst, withCel: result.usPerRequestWithCel, celCompile: result.celCompileUs, celEval: result.celEvalUs },
        },
      ],
      checks: [atMost("policy evaluation ≤ 20 µs per request (100 rules, no CEL)", result.usPerRequest, 20, (v) => `${v.toFixed(2)} µs`)],
      notes: [],
      raw: result,
    };
  },
};
