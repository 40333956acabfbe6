// The gateway's recorder: one object the engine creates and the gateway calls at fixed points.
//
//   record pass (passes/record.ts), last before forwarding:  beforeForward(request)
//     writes (create/update/patch/delete, exec, attach, port-forward): a RequestReceived event,
//     synced to disk before the request may go on; exec / attach: opens the recording first,
//     refusing the session if it cannot be written.
//   gateway-server.ts, for every request:                    observe(request, res)
//     on close: the ResponseComplete event (batched) with the status the agent got.
//   gateway-server.ts, for every upgrade:                    observeUpgrade(request, socket)
//     and upgradeRefused(request, status) when a pass answered it;
//   forward-upgrade.ts, via upgradeHooks(request):           upgraded(…) / declined(code)
//     the exec tap, and on close the ResponseComplete event with the exit code and recording ID.
//   approval-service.ts (ApprovalObserver):                  decisions and grants.
//   event(…):                                                anything else worth a record.
//
// With level None nothing is logged; with execRecording off no session is recorded. Both are
// what the benchmarks switch to measure what recording costs.
import type { ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { join } from "node:path";
import type { GatewayRequest, PassOutcome } from "../gateway/gateway-request.js";
import { statusFor, type KubernetesStatus } from "../gateway/status.js";
import { AuditLog, chaperoneEventSkeleton } from "./audit-log.js";
import { ANNOTATION, DURABLE_VERBS, type AuditEvent, type AuditObjectRef, type AuditResponseStatus, type ChaperoneEventKind } from "./audit-event.js";
import { maskedRequestBody, requestEvent, type LoggedBody } from "./request-event.js";
import { fallbackMasker, type BodyMasker } from "./body-masker.js";
import { captureResponse, decodeCapturedBody, type CapturedResponse } from "./response-capture.js";
import { ExecTap, type UpgradeHooks } from "./exec-tap.js";
import type { AuditSettings } from "./audit-settings.js";
import { RecordingStore, recordingKindFor } from "../recordings/recording-store.js";
import { queryFlag, queryOf } from "../gateway/request-query.js";
import type { RecordingSession, StreamMaskerFactory } from "../recordings/recording-session.js";
import { DATA_FILES } from "../config/data-dir.js";

export interface RecorderOptions {
  dataDir: string;
  settings: AuditSettings;
  upstream: { context: string; server: string };
  /** Masks bodies before they are logged; defaults to fallbackMasker until the masking issue wires its own. */
  mask?: BodyMasker;
  log?: (line: string) => void;
  now?: () => number;
  /** Test seam for the audit log's writes. */
  writeFault?: () => NodeJS.ErrnoException | undefined;
}

interface RequestState {
  annotations: Record<string, string>;
  session: RecordingSession | null;
  tap: ExecTap | null;
  upgradeStatus: AuditResponseStatus | null;
  upgraded: boolean;
  /** Cuts the session (both sockets), once it is upgraded. */
  abort?: () => void;
  /** The masked request body, made once for both of a write's events. */
  body?: LoggedBody;
}

/** Statuses of pass refusals, written to the socket before any upgrade. */
function auditStatus(status: KubernetesStatus): AuditResponseStatus {
  return { metadata: {}, code: status.code, status: "Failure", message: status.message, reason: status.reason };
}

export class Recorder {
  readonly log: AuditLog | null;
  readonly recordings: RecordingStore;
  readonly settings: AuditSettings;
  private mask: BodyMasker;
  private readonly states = new WeakMap<GatewayRequest, RequestState>();
  private readonly now: () => number;
  private readonly upstream: { context: string; server: string };
  private readonly print: (line: string) => void;
  private readonly openSessions = new Set<RecordingSession>();

  constructor(options: RecorderOptions) {
    this.settings = options.settings;
    this.now = options.now ?? Date.now;
    this.upstream = options.upstream;
    this.mask = options.mask ?? fallbackMasker;
    this.print = options.log ?? ((line) => console.error(line));
    this.recordings = new RecordingStore(join(options.dataDir, DATA_FILES.recordings), {
      maxAgeMs: options.settings.recordingsMaxAgeMs,
      maxTotalBytes: options.settings.recordingsMaxTotalBytes,
    });
    this.log =
      options.settings.level === "None"
        ? null
        : AuditLog.open({
            dir: join(options.dataDir, DATA_FILES.audit),
            maxFileBytes: options.settings.maxFileBytes,
            maxAgeMs: options.settings.maxAgeMs,
            maxTotalBytes: options.settings.maxTotalBytes,
            batchMs: options.settings.batchMs,
            now: this.now,
            writeFault: options.writeFault,
          });
  }

  /** The masking issue's masker replaces the fallback here. */
  setMasker(mask: BodyMasker): void {
    this.mask = mask;
  }

  private streamMasker: StreamMaskerFactory | undefined;

  /** Masks what recordings keep (typed input, output, cp archives); e.g. masking.newStreamMaskerForRecord. */
  setStreamMasker(factory: StreamMaskerFactory): void {
    this.streamMasker = factory;
  }

  private state(request: GatewayRequest): RequestState {
    let state = this.states.get(request);
    if (!state) {
      state = { annotations: {}, session: null, tap: null, upgradeStatus: null, upgraded: false };
      this.states.set(request, state);
    }
    return state;
  }

  /** Adds annotations to the request's events (approval outcome, grant, …). */
  annotate(request: GatewayRequest, annotations: Record<string, string>): void {
    Object.assign(this.state(request).annotations, annotations);
  }

  private buildRequestEvent(request: GatewayRequest, stage: AuditEvent["stage"], extra: Partial<Parameters<typeof requestEvent>[0]> = {}): AuditEvent {
    const level = this.settings.level === "None" ? "Metadata" : this.settings.level;
    // Most reads have no state (no annotations, no session): none is made for them.
    let state = this.states.get(request);
    if (level !== "Metadata") {
      state ??= this.state(request);
      state.body ??= maskedRequestBody(request, this.mask, this.settings.maxBodyBytes);
    }
    return requestEvent({
      requestBody: state?.body,
      request,
      stage,
      level,
      now: this.now(),
      mask: this.mask,
      maxBodyBytes: this.settings.maxBodyBytes,
      upstream: this.upstream,
      ...extra,
      annotations: { ...state?.annotations, ...extra.annotations },
    });
  }

  // ---- the record pass -------------------------------------------------------------------

  /** Runs last before forwarding. Resolves to a Status when the request must not go on. */
  beforeForward(request: GatewayRequest): PassOutcome | Promise<PassOutcome> {
    const info = request.info;
    const verb = info?.verb ?? "";
    const sessionVerb = info?.kind === "resource" && request.upgrade && (verb === "exec" || verb === "attach");
    if (sessionVerb && this.settings.execRecording) {
      const refused = this.openRecording(request, this.state(request));
      if (refused) return refused;
    }
    const log = this.log;
    if (!log) return undefined;
    if (!DURABLE_VERBS.has(verb) && !log.failed) return undefined;
    // While the log is failing every request waits for a durable write: the first one that
    // succeeds shows writing works again; until then nothing goes unrecorded.
    const event = this.buildRequestEvent(request, "RequestReceived");
    return log.appendDurable(event).then(
      () => undefined,
      (error: unknown) => {
        const message = (error as Error).message;
        this.print(`chaperone: the audit log cannot be written (${message}); refusing requests until it can`);
        const state = this.state(request);
        if (state.session) {
          state.session.finish({ exitCode: null, exitStatus: null, incomplete: "the session was refused: the audit log could not be written" });
          state.session = null;
        }
        return statusFor("ServiceUnavailable", `chaperone: the audit log cannot be written (${message}); the request was not sent`);
      },
    );
  }

  private openRecording(request: GatewayRequest, state: RequestState): KubernetesStatus | undefined {
    const info = request.info;
    if (!info || info.kind !== "resource") return undefined;
    const query = queryOf(request.req.url ?? "");
    const command = info.verb === "exec" ? query.getAll("command") : [];
    const tty = queryFlag(query, "tty");
    try {
      const session = this.recordings.open(
        {
          id: request.id,
          kind: recordingKindFor(command, tty),
          startedAt: new Date(this.now()).toISOString(),
          auditID: request.id,
          agent: request.identity?.agent ?? null,
          profile: request.identity?.profile ?? null,
          run: request.identity?.run ?? null,
          verb: info.verb === "attach" ? "attach" : "exec",
          namespace: info.namespace,
          pod: info.name,
          container: query.get("container") ?? "",
          command,
          tty,
          stdin: queryFlag(query, "stdin"),
        },
        (error) => {
          // Fail closed: a session whose recording cannot be written is cut.
          this.print(`chaperone: recording ${request.id} cannot be written (${error.message}); ending the session`);
          state.abort?.();
        },
        this.streamMasker,
      );
      state.session = session;
      this.openSessions.add(session);
      state.annotations[ANNOTATION.recording] = session.meta.id;
      return undefined;
    } catch (error) {
      const message = (error as Error).message;
      this.print(`chaperone: cannot record an exec session (${message}); refusing it`);
      return statusFor(
        "InternalError",
        `chaperone: exec and attach sessions are recorded, and the recording cannot be written (${message}); the session was not started`,
      );
    }
  }

  // ---- gateway-server hooks ----------------------------------------------------------------

  /** Every plain request: its ResponseComplete event once the response is over. */
  observe(request: GatewayRequest, res: ServerResponse): void {
    const log = this.log;
    if (!log) return;
    const level = this.settings.level;
    const limit = this.settings.maxBodyBytes;
    const capture: CapturedResponse = captureResponse(res, level === "RequestResponse" ? limit : 64 * 1024, (code) => {
      if (code >= 400) return true;
      if (level !== "RequestResponse") return false;
      return request.info?.kind !== "resource" || request.info.verb !== "watch";
    });
    res.once("close", () => {
      const code = res.statusCode;
      const status: AuditResponseStatus = { metadata: {}, code };
      const annotations: Record<string, string> = {};
      let responseBody: { object: unknown } | { omitted: string } | undefined;
      if (code >= 400) {
        status.status = "Failure";
        const decoded = decodeCapturedBody(capture, 64 * 1024);
        if ("object" in decoded && decoded.object && typeof decoded.object === "object") {
          const s = decoded.object as { message?: unknown; reason?: unknown };
          if (typeof s.message === "string") status.message = s.message;
          if (typeof s.reason === "string") status.reason = s.reason;
        }
      }
      if (level === "RequestResponse") {
        responseBody =
          request.info?.kind === "resource" && request.info.verb === "watch" ? { omitted: "a watch stream" } : decodeCapturedBody(capture, limit);
      }
      if (!res.writableFinished) annotations[ANNOTATION.incomplete] = "the connection closed before the response was complete";
      log.append(this.buildRequestEvent(request, "ResponseComplete", { status, responseBody, annotations }));
    });
  }

  /** Every upgrade request: its ResponseComplete event when the connection closes. */
  observeUpgrade(request: GatewayRequest, socket: Duplex): void {
    const state = this.state(request);
    socket.once("close", () => this.completeUpgrade(request, state));
  }

  /** A pass answered an upgrade request with this Status (nothing was forwarded). */
  upgradeRefused(request: GatewayRequest, status: KubernetesStatus): void {
    this.state(request).upgradeStatus = auditStatus(status);
  }

  /** What forward-upgrade.ts reports about this request's upgrade. */
  upgradeHooks(request: GatewayRequest): UpgradeHooks {
    const state = this.state(request);
    return {
      upgraded: (upstreamRes, agentSocket, toAgent, agentHead, toAgentHead) => {
        state.upgraded = true;
        state.upgradeStatus = { metadata: {}, code: 101 };
        const session = state.session;
        if (!session) return;
        // Destroying the agent's socket makes the forward pass close the upstream side too.
        state.abort = () => {
          agentSocket.destroy();
          toAgent.destroy();
        };
        if (session.failed) {
          state.abort();
          return;
        }
        const upgrade = request.req.headers.upgrade ?? "";
        state.tap = new ExecTap(upgrade, upstreamRes, agentSocket, toAgent, agentHead, toAgentHead, session);
      },
      declined: (statusCode) => {
        state.upgradeStatus = { metadata: {}, code: statusCode, status: statusCode >= 400 ? "Failure" : undefined };
        if (state.upgradeStatus.status === undefined) delete state.upgradeStatus.status;
      },
    };
  }

  private completeUpgrade(request: GatewayRequest, state: RequestState): void {
    const annotations: Record<string, string> = {};
    const session = state.session;
    if (session) {
      this.openSessions.delete(session);
      state.session = null;
      if (!state.upgraded) {
        // Never started (the pod was not found, the upgrade was refused): nothing to keep.
        this.recordings.discard(session.meta);
        delete state.annotations[ANNOTATION.recording];
      } else {
        const outcome = state.tap?.finish() ?? {
          exitCode: null,
          status: null,
          incomplete: "the gateway did not hand the stream to the recorder",
        };
        const meta = session.finish({ exitCode: outcome.exitCode, exitStatus: outcome.status, incomplete: outcome.incomplete });
        if (meta.exitCode !== null) annotations[ANNOTATION.exitCode] = String(meta.exitCode);
        if (meta.error) annotations[ANNOTATION.recordingError] = meta.error;
      }
    }
    if (!this.log) return;
    const status = state.upgradeStatus ?? { metadata: {}, code: 0, status: "Failure", message: "the connection closed before an answer" };
    this.log.append(this.buildRequestEvent(request, "ResponseComplete", { status: status as AuditResponseStatus, annotations }));
  }

  // ---- other events ------------------------------------------------------------------------

  /** A Chaperone event (approval, grant, policy, agent, run…). Durable when `durable`. */
  event(
    kind: ChaperoneEventKind,
    verb: string,
    objectRef: AuditObjectRef,
    annotations: Record<string, string>,
    options: { user?: string; durable?: boolean; requestObject?: unknown } = {},
  ): Promise<void> {
    if (!this.log) return Promise.resolve();
    const skeleton = chaperoneEventSkeleton(this.now(), kind, verb, { apiGroup: "chaperone.dev", apiVersion: "v1", ...objectRef }, annotations, options.user);
    // `annotations` stays the last key (hash-chain.ts relies on it).
    const { annotations: keys, ...rest } = skeleton;
    const event: AuditEvent = options.requestObject === undefined ? skeleton : { ...rest, requestObject: options.requestObject, annotations: keys };
    if (options.durable) return this.log.appendDurable(event);
    this.log.append(event);
    return Promise.resolve();
  }

  /** Finishes open recordings and writes everything queued. */
  async close(): Promise<void> {
    for (const session of this.openSessions) {
      session.finish({ exitCode: null, exitStatus: null, incomplete: "the engine stopped during the session" });
    }
    this.openSessions.clear();
    await this.log?.close();
  }
}
