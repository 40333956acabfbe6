// What the orchestrator asks of the load-generator process, and what comes back. Messages cross
// the IPC channel with structured-clone serialization, so latency arrays travel as typed arrays.
import type { Endpoint } from "./http1-client.js";
import type { ExecProtocol } from "./exec-client.js";

export type TargetName = "direct" | "chaperone" | "kubectl-proxy";
export const TARGET_NAMES: readonly TargetName[] = ["direct", "chaperone", "kubectl-proxy"];

export interface Target extends Endpoint {
  name: TargetName;
}

/** Closed loop: `concurrency` keep-alive connections, each sending the next GET as soon as the last answer ended. */
export interface RequestsJob {
  kind: "requests";
  target: Target;
  path: string;
  concurrency: number;
  durationMs: number;
  /** Stop early after this many responses (0: no limit). */
  maxRequests?: number;
  /** GET unless told; a POST carries `body` (JSON) and counts `okStatus` (e.g. 201) as success. */
  method?: "GET" | "POST";
  body?: Uint8Array;
  /** The status that counts as a success (default 200). */
  okStatus?: number;
}

export interface RequestsResult {
  kind: "requests";
  count: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  bodyBytes: number;
  /** Per-response latency in milliseconds, request written to last body byte. */
  latenciesMs: Float64Array;
}

/** One watch that the upstream fills with WATCH_EVENTS events as fast as it can. */
export interface WatchBurstJob {
  kind: "watch-burst";
  target: Target;
  path: string;
  timeoutMs: number;
}

export interface WatchBurstResult {
  kind: "watch-burst";
  events: number;
  bodyBytes: number;
  /** Request written to the last event received. */
  elapsedMs: number;
}

/** One watch whose events are paced and stamped by the upstream; measures each event's delay. */
export interface WatchPacedJob {
  kind: "watch-paced";
  target: Target;
  path: string;
  durationMs: number;
}

export interface WatchPacedResult {
  kind: "watch-paced";
  /** Upstream write to client receipt, per event, in milliseconds (both ends read CLOCK_MONOTONIC). */
  delaysMs: Float64Array;
}

export interface ExecJob {
  kind: "exec";
  target: Target;
  path: string;
  protocol: ExecProtocol;
  bytes: number;
  timeoutMs: number;
}

export interface ExecResult {
  kind: "exec";
  bytes: number;
  streamMs: number;
  upgradeMs: number;
}

/** Opens `count` watches and keeps them open (until a close-idle job). */
export interface OpenIdleJob {
  kind: "open-idle";
  target: Target;
  path: string;
  count: number;
  /** Connections being set up at once. */
  parallel: number;
  timeoutMs: number;
}

export interface OpenIdleResult {
  kind: "open-idle";
  opened: number;
  elapsedMs: number;
  firstError: string | null;
}

export interface CloseIdleJob {
  kind: "close-idle";
}

export interface CloseIdleResult {
  kind: "close-idle";
  closed: number;
}

/** Drops the keep-alive pools kept between rounds. */
export interface ResetJob {
  kind: "reset";
}

export interface ResetResult {
  kind: "reset";
}

export type Job = RequestsJob | WatchBurstJob | WatchPacedJob | ExecJob | OpenIdleJob | CloseIdleJob | ResetJob;
export type JobResult = RequestsResult | WatchBurstResult | WatchPacedResult | ExecResult | OpenIdleResult | CloseIdleResult | ResetResult;

export type ResultFor<J extends Job> = Extract<JobResult, { kind: J["kind"] }>;

export interface JobMessage {
  id: number;
  job: Job;
}

export interface ResultMessage {
  id: number;
  result?: JobResult;
  error?: string;
}
