// Turns an `ask` into a held request and an approver's answer into an outcome: the queue, the
// grants, the previews and the "always" rules in one place, so the control API, the CLI and the
// UI all decide the same way.
import { randomBytes } from "node:crypto";
import type { GatewayRequest } from "../gateway/gateway-request.js";
import type { Upstream } from "../upstream/upstream.js";
import type { PolicyEngine } from "../policy/index.js";
import { appendRule, summarizeRequest } from "../policy/index.js";
import { MAX_GRANT_MINUTES, type ApprovalView, type DecideRequest, type DecideResult, type GrantView } from "../control/contract.js";
import { CliError } from "../cli/cli-error.js";
import type { KubernetesStatus } from "../gateway/status.js";
import { ApprovalQueue, type ApprovalOutcome } from "./approval-queue.js";
import { GrantStore } from "./grant-store.js";
import { alwaysRuleFor, ruleYaml, shapeOf } from "./approval-rules.js";
import { dryRunPreview, previewable } from "./dry-run-preview.js";
import type { ApprovalObserver } from "../audit/approval-events.js";

export const DEFAULT_APPROVAL_TIMEOUT_MS = 5 * 60_000;
const REFUSAL_MEMORY_MS = 30_000;

interface Held {
  request: GatewayRequest;
}

export interface ApprovalServiceOptions {
  timeoutMs: number;
  upstream: Upstream;
  policy: () => PolicyEngine;
  policyPath: string;
  /** Audit (issue 6): told of every decision, grant use and grant revocation. */
  observer?: ApprovalObserver;
}

export class ApprovalService {
  readonly queue: ApprovalQueue;
  readonly grants = new GrantStore();
  private readonly held = new Map<string, Held>();
  /** Refused upgrades, briefly remembered: see refusalKey. */
  private readonly refusals = new Map<string, { status: KubernetesStatus; until: number }>();

  constructor(private readonly options: ApprovalServiceOptions) {
    this.queue = new ApprovalQueue(options.timeoutMs);
  }

  /** A grant that already answers this ask, if any. */
  grantFor(request: GatewayRequest): GrantView | null {
    if (!request.policyRequest || !request.decision) return null;
    const grant = this.grants.find(shapeOf(request.policyRequest), request.decision.rule);
    if (grant) this.options.observer?.grantUsed(request, grant); // audit (issue 6)
    return grant;
  }

  hold(request: GatewayRequest): Promise<ApprovalOutcome> {
    const policyRequest = request.policyRequest;
    const decision = request.decision;
    if (!policyRequest || !decision) return Promise.resolve({ kind: "denied", reason: "nothing to approve" });
    const info = policyRequest.info;
    const id = randomBytes(4).toString("hex");
    const now = Date.now();
    let alwaysRule: string;
    try {
      alwaysRule = ruleYaml(alwaysRuleFor(policyRequest, decision, `approved-${id}`));
    } catch (error) {
      alwaysRule = `# cannot be written as a rule: ${(error as Error).message}`;
    }
    const resource = info.kind === "resource";
    const view: ApprovalView = {
      id,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.queue.timeoutMs).toISOString(),
      agent: policyRequest.agent,
      run: policyRequest.run,
      profile: policyRequest.profile,
      summary: summarizeRequest(info),
      verb: info.verb,
      apiGroup: resource ? info.apiGroup : "",
      resource: resource ? info.resource : "",
      subresource: resource ? info.subresource : "",
      namespace: resource ? info.namespace : "",
      name: resource ? info.name : "",
      path: info.path,
      rule: { ...decision.rule },
      reason: decision.message,
      exec: policyRequest.exec,
      object: request.decoded.kind === "object" ? request.decoded.object : null,
      preview: null,
      alwaysRule,
    };
    if (info.kind === "resource" && previewable(info) && !request.upgrade) {
      view.preview = { state: "pending", status: null, rejected: false, message: null, diff: null };
      dryRunPreview(this.options.upstream, info, request.req.method ?? "GET", request.req.url ?? "/", request.body, request.req.headers["content-type"]).then(
        (preview) => this.queue.setPreview(id, preview),
        (error: unknown) =>
          this.queue.setPreview(id, {
            state: "unavailable",
            status: null,
            rejected: false,
            message: `no preview: ${(error as Error).message}`,
            diff: null,
          }),
      );
    }
    this.held.set(id, { request });
    return this.queue
      .hold(view, request.signal)
      .then((outcome) => {
        this.options.observer?.settled(request, view, outcome); // audit (issue 6)
        return outcome;
      })
      .finally(() => this.held.delete(id));
  }

  list(): ApprovalView[] {
    return this.queue.list();
  }

  /**
   * kubectl ≥ 1.30 tries exec / attach / port-forward over WebSocket and, when the upgrade is
   * refused with any HTTP error, retries the same request over SPDY at once. Without memory the
   * approver would be asked the same question twice; so a refused upgrade's answer is replayed to
   * an identical upgrade from the same agent for a short while.
   */
  private refusalKey(request: GatewayRequest): string | null {
    if (!request.upgrade || !request.identity) return null;
    const url = request.req.url ?? "";
    const q = url.indexOf("?");
    const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
    query.sort();
    return `${request.identity.tokenId} ${q < 0 ? url : url.slice(0, q)}?${query.toString()}`;
  }

  rememberRefusal(request: GatewayRequest, status: KubernetesStatus): void {
    const key = this.refusalKey(request);
    if (!key) return;
    const now = Date.now();
    for (const [k, v] of this.refusals) if (v.until <= now) this.refusals.delete(k);
    this.refusals.set(key, { status, until: now + REFUSAL_MEMORY_MS });
  }

  recentRefusal(request: GatewayRequest): KubernetesStatus | null {
    const key = this.refusalKey(request);
    const entry = key ? this.refusals.get(key) : undefined;
    if (!entry || entry.until <= Date.now()) return null;
    return entry.status;
  }

  get(id: string): ApprovalView {
    const view = this.queue.get(id);
    if (!view) throw new CliError(`no pending approval "${id}" (it may have been decided, withdrawn or timed out)`);
    return view;
  }

  decide(id: string, decision: DecideRequest): DecideResult {
    const view = this.get(id);
    const held = this.held.get(id);
    const policyRequest = held?.request.policyRequest;
    const policyDecision = held?.request.decision;
    if (!held || !policyRequest || !policyDecision) throw new CliError(`approval "${id}" is no longer pending`);
    let grant: GrantView | null = null;
    let ruleAdded: DecideResult["ruleAdded"] = null;
    switch (decision.decision) {
      case "deny": {
        const reason = decision.reason?.trim() || null;
        const denied: DecideResult = { id, outcome: "denied", grant: null, ruleAdded: null };
        this.options.observer?.decided(held.request, view, decision, denied); // audit (issue 6)
        this.queue.settle(id, { kind: "denied", reason });
        return denied;
      }
      case "allow-once":
        break;
      case "allow-for": {
        const minutes = decision.minutes;
        if (typeof minutes !== "number" || !Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_GRANT_MINUTES) {
          throw new CliError(`allow-for needs minutes between 0 and ${MAX_GRANT_MINUTES}`);
        }
        grant = this.grants.add(shapeOf(policyRequest), view.rule, minutes);
        break;
      }
      case "always": {
        const rule = alwaysRuleFor(policyRequest, policyDecision, `approved-${id}`);
        const appended = appendRule(this.options.policyPath, policyRequest.profile, rule, {
          comment: `approved for ${policyRequest.agent} at ${new Date().toISOString()}: ${view.summary}`,
        });
        // Take the new rule into force now rather than when the file watcher fires.
        this.options.policy().reload();
        ruleAdded = { profile: policyRequest.profile, name: appended.name, text: ruleYaml(rule) };
        break;
      }
      default:
        throw new CliError(`unknown decision "${String((decision as { decision: unknown }).decision)}" (allow-once, allow-for, always, deny)`);
    }
    const allowed: DecideResult = { id, outcome: "allowed", grant, ruleAdded };
    this.options.observer?.decided(held.request, view, decision, allowed); // audit (issue 6)
    this.queue.settle(id, { kind: "allowed" });
    return allowed;
  }

  revokeGrant(id: string): GrantView {
    const grant = this.grants.revoke(id);
    if (!grant) throw new CliError(`no grant "${id}"`);
    this.options.observer?.grantRevoked(grant); // audit (issue 6)
    return grant;
  }

  shutdown(): void {
    this.queue.closeAll();
  }
}
