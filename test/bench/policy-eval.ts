// Policy evaluation cost. The budget is under 20 µs per request for a policy of 100 rules without
// CEL; CEL conditions are measured separately (compile once at load, evaluate per request when a
// rule's other fields match).
//
//   node dist/test/bench/policy-eval.js
//
// `runPolicyEvalBench()` is exported for the bench suite; run directly, it prints a table.
import { pathToFileURL } from "node:url";
import { PolicyEngine } from "../../proxy/policy/policy-engine.js";
import { compileCondition, celActivation, isCompileError } from "../../proxy/policy/cel.js";
import { policyRequest } from "../../proxy/policy/test-helpers.js";
import type { PolicyRequest } from "../../proxy/policy/policy-types.js";

export interface PolicyEvalBenchResult {
  rules: number;
  /** Mean over a mix of reads, writes (with guardrail body scans) and exec, no CEL. */
  usPerRequest: number;
  /** The slowest request of the mix. */
  usPerRequestWorst: number;
  /** Mean over the same mix with one CEL rule whose other fields match every request. */
  usPerRequestWithCel: number;
  /** Parse + type-check of one condition. */
  celCompileUs: number;
  /** Building the variables and evaluating one condition. */
  celEvalUs: number;
}

const ACTIONS = ["deny", "ask", "allow"] as const;
const VERBS = [["get", "list"], ["create", "update", "patch"], ["delete"], ["exec", "attach"], ["watch"]];

/** 100 rules shaped like real ones: namespace and name globs, resource lists, some agents; none matches the benchmark's namespace until the last few. */
function hundredRules(withCel: boolean): string {
  const lines = ["profiles:", "  bench:", "    extends: guarded", "    rules:"];
  for (let i = 0; i < 96; i++) {
    const fields = [
      `id: r${i}`,
      `verb: [${(VERBS[i % VERBS.length] as string[]).join(", ")}]`,
      `resource: [pods, deployments, res-${i}]`,
      `namespace: "team-${i}-*"`,
      i % 3 === 0 ? `agent: agent-${i}` : `name: "*-${i}"`,
      `action: ${ACTIONS[i % 3]}`,
    ];
    lines.push(`      - { ${fields.join(", ")} }`);
  }
  lines.push('      - { id: dev-deletes, verb: delete, namespace: "dev*", action: allow }');
  lines.push('      - { id: dev-exec, verb: exec, namespace: "dev", name: "web-?", action: allow }');
  lines.push('      - { id: no-prod, namespace: "prod*", action: deny }');
  if (withCel) {
    lines.push('      - { id: cel, namespace: "dev", when: \'request.agent == "claude" && (object == null || !has(object.spec) || !has(object.spec.replicas) || object.spec.replicas < 50)\', action: allow }');
  } else {
    lines.push('      - { id: last, namespace: "staging", action: ask }');
  }
  return `${lines.join("\n")}\n`;
}

function requestMix(): PolicyRequest[] {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", labels: { app: "web" } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx:1.27", ports: [{ containerPort: 80 }], securityContext: { runAsNonRoot: true } }], volumes: [{ name: "tmp", emptyDir: {} }] },
      },
    },
  };
  const o = { agent: "claude", profile: "bench" };
  return [
    policyRequest("GET", "/api/v1/namespaces/dev/pods", o),
    policyRequest("GET", "/api/v1/namespaces/dev/pods/web-1", o),
    policyRequest("GET", "/api/v1/namespaces/dev/pods?watch=true", o),
    policyRequest("POST", "/apis/apps/v1/namespaces/dev/deployments", { ...o, body: deployment }),
    policyRequest("PATCH", "/apis/apps/v1/namespaces/dev/deployments/web", { ...o, body: { spec: { replicas: 5 } }, contentType: "application/merge-patch+json" }),
    policyRequest("DELETE", "/api/v1/namespaces/dev/pods/web-1", o),
    policyRequest("POST", "/api/v1/namespaces/dev/pods/web-1/exec?command=ls&stdout=true", o),
    policyRequest("GET", "/apis/apps/v1", o),
  ];
}

function timeUs(iterations: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn(i); // warm-up: let the JIT settle
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn(i);
  return Number(process.hrtime.bigint() - start) / 1000 / iterations;
}

export function runPolicyEvalBench(iterations = 200_000): PolicyEvalBenchResult {
  const plain = PolicyEngine.fromText(hundredRules(false), "bench.yaml");
  const withCel = PolicyEngine.fromText(hundredRules(true), "bench.yaml");
  const mix = requestMix();
  let sink = 0;

  const usPerRequest = timeUs(iterations, (i) => {
    sink += plain.evaluate(mix[i % mix.length] as PolicyRequest).action.length;
  });
  const usPerRequestWorst = Math.max(
    ...mix.map((request) =>
      timeUs(iterations / 4, () => {
        sink += plain.evaluate(request).action.length;
      }),
    ),
  );
  const usPerRequestWithCel = timeUs(iterations, (i) => {
    sink += withCel.evaluate(mix[i % mix.length] as PolicyRequest).action.length;
  });

  const source = 'request.agent == "claude" && has(object.spec) && object.spec.replicas < 50 && request.resourceAttributes.namespace.startsWith("dev")';
  const compileIterations = Math.max(1000, iterations / 50);
  const celCompileUs = timeUs(compileIterations, (i) => {
    // A distinct expression each time, so no parse cache can help.
    const compiled = compileCondition(`${source} && ${i} >= 0`);
    if (isCompileError(compiled)) throw new Error(compiled.message);
  });
  const condition = compileCondition(source);
  if (isCompileError(condition)) throw new Error(condition.message);
  const request = mix[4] as PolicyRequest;
  const celEvalUs = timeUs(iterations, () => {
    sink += condition.evaluate(celActivation(request)) ? 1 : 0;
  });
  if (sink < 0) console.log(sink);
  return { rules: 100, usPerRequest, usPerRequestWorst, usPerRequestWithCel, celCompileUs, celEvalUs };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = runPolicyEvalBench();
  const f = (n: number) => n.toFixed(2).padStart(8);
  console.log(`policy evaluation, ${r.rules} rules (extending guarded), mix of 8 requests`);
  console.log(`  without CEL            ${f(r.usPerRequest)} µs/request (slowest request ${f(r.usPerRequestWorst).trim()} µs; budget 20 µs)`);
  console.log(`  with one CEL rule      ${f(r.usPerRequestWithCel)} µs/request`);
  console.log(`  CEL compile            ${f(r.celCompileUs)} µs/condition (parse + type-check, at load)`);
  console.log(`  CEL evaluate           ${f(r.celEvalUs)} µs/condition (variables + evaluation)`);
}
