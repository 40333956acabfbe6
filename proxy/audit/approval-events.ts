// Approvals in the audit log: each decision is an event of its own (who decided, what, why, the
// grant or rule it created), and the held request's own events carry the outcome
// (chaperone.dev/approval, -approver, -reason, -id, grant). The ApprovalService calls this
// observer; see approval-service.ts.
import type { GatewayRequest } from "../gateway/gateway-request.js";
import type { ApprovalView, DecideRequest, DecideResult, GrantView } from "../control/contract.js";
import type { ApprovalOutcome } from "../approvals/approval-queue.js";
import { ANNOTATION } from "./audit-event.js";
import type { Recorder } from "./recorder.js";

/** Whoever holds the control API token: the developer at this machine (the API has no per-person identity). */
export const CONTROL_API_APPROVER = "developer (control API)";

export interface ApprovalObserver {
  /** An approver answered a held request. */
  decided(request: GatewayRequest, view: ApprovalView, decision: DecideRequest, result: DecideResult): void;
  /** A held request ended (decided, timed out, withdrawn, shut down). */
  settled(request: GatewayRequest, view: ApprovalView, outcome: ApprovalOutcome): void;
  /** An earlier "allow for N minutes" answered this request without asking. */
  grantUsed(request: GatewayRequest, grant: GrantView): void;
  grantRevoked(grant: GrantView): void;
}

export function approvalObserver(recorder: Recorder, approver = CONTROL_API_APPROVER): ApprovalObserver {
  return {
    decided(request, view, decision, result) {
      const kind = decision.decision;
      const annotations: Record<string, string> = {
        [ANNOTATION.approvalId]: view.id,
        [ANNOTATION.approval]: kind,
        [ANNOTATION.approver]: approver,
        [ANNOTATION.agent]: view.agent,
        ...(view.run ? { [ANNOTATION.run]: view.run } : {}),
        [ANNOTATION.rule]: `${view.rule.profile}/${view.rule.name}`,
        "chaperone.dev/request": view.summary,
        "chaperone.dev/request-audit-id": request.id,
      };
      if (decision.reason?.trim()) annotations[ANNOTATION.approvalReason] = decision.reason.trim();
      if (kind === "allow-for" && decision.minutes !== undefined) annotations["chaperone.dev/grant-minutes"] = String(decision.minutes);
      if (result.grant) {
        annotations[ANNOTATION.grant] = result.grant.id;
        annotations["chaperone.dev/grant-expires"] = result.grant.expiresAt;
      }
      if (result.ruleAdded) annotations["chaperone.dev/rule-added"] = `${result.ruleAdded.profile}/${result.ruleAdded.name}`;
      recorder.annotate(request, {
        [ANNOTATION.approvalId]: view.id,
        [ANNOTATION.approval]: kind,
        [ANNOTATION.approver]: approver,
        ...(annotations[ANNOTATION.approvalReason] ? { [ANNOTATION.approvalReason]: annotations[ANNOTATION.approvalReason] as string } : {}),
        ...(result.grant ? { [ANNOTATION.grant]: result.grant.id } : {}),
      });
      void recorder.event(
        "approval.decision",
        kind === "deny" ? "deny" : "approve",
        { resource: "approvals", name: view.id },
        annotations,
        { user: approver, ...(result.ruleAdded ? { requestObject: { ruleAdded: result.ruleAdded } } : {}) },
      );
    },
    settled(request, view, outcome) {
      if (outcome.kind === "allowed" || outcome.kind === "denied") return; // `decided` said it
      recorder.annotate(request, { [ANNOTATION.approvalId]: view.id, [ANNOTATION.approval]: outcome.kind });
    },
    grantUsed(request, grant) {
      recorder.annotate(request, { [ANNOTATION.approval]: "grant", [ANNOTATION.grant]: grant.id });
    },
    grantRevoked(grant) {
      void recorder.event(
        "grant.revoked",
        "delete",
        { resource: "grants", name: grant.id },
        { [ANNOTATION.grant]: grant.id, [ANNOTATION.agent]: grant.agent, [ANNOTATION.rule]: `${grant.rule.profile}/${grant.rule.name}` },
        { user: approver },
      );
    },
  };
}
