// What the API server would do with a held write, from its dry run: the diff it would apply, or
// that it would reject the write (said loudly: approving a write that will fail helps no one).
import type { ApprovalPreview as Preview } from "../../proxy/control/contract.js";
import { agentLine } from "./agent-text";
import { DiffView } from "./diff-view";

export function ApprovalPreview({ preview }: { preview: Preview | null }) {
  // Reads, exec and the like have nothing to dry-run.
  if (preview === null) return null;
  return (
    <div className="approval-preview">
      <h4>Dry run</h4>
      <PreviewBody preview={preview} />
    </div>
  );
}

function PreviewBody({ preview }: { preview: Preview }) {
  if (preview.state === "pending") {
    return (
      <p className="muted preview-pending" aria-busy="true">
        Computing preview…
      </p>
    );
  }
  if (preview.state === "unavailable") {
    return <p className="muted">No preview{preview.message !== null ? `: ${agentLine(preview.message)}` : "."}</p>;
  }
  if (preview.rejected) {
    const message = preview.message ?? `HTTP ${preview.status ?? "?"}`;
    return (
      <p className="notice error preview-rejected">
        <strong>Would be rejected:</strong> {agentLine(message)}
      </p>
    );
  }
  if (preview.diff === null || preview.diff.trim() === "") {
    return <p className="muted">The API server would accept it, with no changes to show.</p>;
  }
  return (
    <>
      <p className="muted">The API server would accept it and make these changes:</p>
      <DiffView diff={preview.diff} label="Changes the write would make" />
    </>
  );
}
