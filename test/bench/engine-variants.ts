// Runs a piece of a scenario with extra engines started with other `serve` flags, and always stops
// them (and drops their data dirs) afterwards, whether the measurement finished or failed.
import type { EngineVariant } from "./bench-stack.js";
import type { ScenarioContext } from "./scenario.js";

export async function withEngineVariants<R>(
  context: ScenarioContext,
  specs: { name: string; serveArgs: readonly string[] }[],
  body: (engines: EngineVariant[]) => Promise<R>,
): Promise<R> {
  const engines: EngineVariant[] = [];
  try {
    for (const spec of specs) {
      context.log(`    starting an engine with ${spec.serveArgs.join(" ")}`);
      engines.push(await context.stack.startEngineVariant(spec.name, spec.serveArgs));
    }
    const result = await body(engines);
    const dead = engines.findIndex((e) => !e.alive());
    if (dead >= 0) throw new Error(`the engine with ${specs[dead]?.serveArgs.join(" ")} died during the scenario`);
    return result;
  } finally {
    await Promise.all(engines.map((e) => e.stop()));
  }
}
