// Pass 5: an `ask` waits for a person. The request (kubectl, an exec, a port-forward) is held open
// until an approver decides, a grant already covers it, the agent hangs up (the approval is then
// withdrawn) or the timeout passes. Nothing is forwarded unless someone said yes.
import type { Pass } from "../gateway-request.js";
import type { ApprovalService } from "../../approvals/approval-service.js";
import { statusFor } from "../status.js";
import { formatDuration } from "../../cli/duration.js";


export function approvePass(approvals: ApprovalService): Pass {
  return {
    name: "approve",
    run(request) {
      if (request.decision?.action !== "ask") return undefined;
      if (approvals.grantFor(request)) return undefined;
      const replay = approvals.recentRefusal(request);
      if (replay) return replay;
      return approvals.hold(request).then((outcome) => {
        switch (outcome.kind) {
          case "allowed":
            return undefined;
          case "denied": {
            const status = statusFor("Forbidden", outcome.reason ? `Denied by the approver: ${outcome.reason}` : "Denied by the approver.");
            approvals.rememberRefusal(request, status);
            return status;
          }
          case "timeout": {
            const status = statusFor(
              "Forbidden",
              `chaperone: no approver answered within ${formatDuration(approvals.queue.timeoutMs)}; the request was not sent (ask the developer to approve it)`,
            );
            approvals.rememberRefusal(request, status);
            return status;
          }
          case "withdrawn":
            return statusFor("Forbidden", "chaperone: the request was withdrawn before anyone approved it");
          case "shutdown":
            return statusFor("ServiceUnavailable", "chaperone is shutting down; the request was not sent");
        }
      });
    },
  };
}
