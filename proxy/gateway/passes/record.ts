// Pass 7 (last before forwarding): the record of a write is on disk before the write goes on.
// Writes, exec, attach and port-forward get a RequestReceived audit event that is synced first;
// exec and attach sessions get their recording opened, and are refused if it cannot be written.
// Reads pass straight on: their event is written, batched, when the response is over
// (Recorder.observe). See proxy/audit/recorder.ts.
import type { Pass } from "../gateway-request.js";
import type { Recorder } from "../../audit/recorder.js";

export function recordPass(recorder: Recorder): Pass {
  return {
    name: "record",
    run: (request) => recorder.beforeForward(request),
  };
}
