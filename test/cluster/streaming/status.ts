// What the error channel carries when a remote command ends, per protocol version, exactly as the
// kubelet writes it (pkg/kubelet/cri/streaming/remotecommand): v4/v5 send a JSON metav1.Status (with
// the exit code in details.causes for a non-zero exit), v1–v3 send only a failure's message as text.

/** How a remote command ended. */
export type CommandOutcome = { exitCode: number } | { internalError: string };

export interface MetaStatus {
  metadata: Record<string, never>;
  status: "Success" | "Failure";
  message?: string;
  reason?: string;
  details?: { causes: { reason?: string; message: string }[] };
  code?: number;
}

export function outcomeStatus(outcome: CommandOutcome, argv: string[]): MetaStatus {
  if ("internalError" in outcome) {
    const message = `error executing command in container: ${outcome.internalError}`;
    return {
      metadata: {},
      status: "Failure",
      message: `Internal error occurred: ${message}`,
      reason: "InternalError",
      details: { causes: [{ message }] },
      code: 500,
    };
  }
  if (outcome.exitCode === 0) return { metadata: {}, status: "Success" };
  return {
    metadata: {},
    status: "Failure",
    message: `command terminated with non-zero exit code: error executing command [${argv.join(" ")}], exit code ${outcome.exitCode}`,
    reason: "NonZeroExitCode",
    details: { causes: [{ reason: "ExitCode", message: String(outcome.exitCode) }] },
  };
}

/** Bytes for the error channel: JSON for v4/v5; for older protocols the message of a failure, nothing on success. */
export function errorChannelPayload(outcome: CommandOutcome, argv: string[], jsonStatus: boolean): Buffer {
  const status = outcomeStatus(outcome, argv);
  if (jsonStatus) return Buffer.from(JSON.stringify(status));
  return status.status === "Success" ? Buffer.alloc(0) : Buffer.from(status.message ?? "");
}
