// Every scenario, in the order the suite runs them (the start-up scenario last: it starts and
// stops engines of its own). The configuration comparisons (masking, recording, audit level) come
// after the standard scenarios; the recording and audit ones start engines of their own too.
import type { Scenario } from "../scenario.js";
import { smallGetScenario } from "./small-get.js";
import { listScenario } from "./list.js";
import { watchDelayScenario, watchThroughputScenario } from "./watch.js";
import { execScenario } from "./exec.js";
import { idleWatchesScenario } from "./idle-watches.js";
import { startupScenario } from "./startup.js";
import { policyEvalScenario } from "./policy-eval.js";
import { execRecordingScenario } from "./exec-recording.js";
import { writeBurstScenario } from "./write-burst.js";
import { listSecretsMaskingScenario, watchSecretsMaskingScenario } from "./masking-cost.js";

export const SCENARIOS: readonly Scenario[] = [
  smallGetScenario(1),
  smallGetScenario(32),
  listScenario("configmaps"),
  listScenario("secrets"),
  watchThroughputScenario,
  watchDelayScenario,
  execScenario("websocket"),
  execScenario("spdy"),
  listSecretsMaskingScenario,
  watchSecretsMaskingScenario,
  execRecordingScenario,
  writeBurstScenario,
  idleWatchesScenario,
  policyEvalScenario,
  startupScenario,
];
