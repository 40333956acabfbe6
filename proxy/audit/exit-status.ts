// How an exec ended, from its error channel (the kubelet's remotecommand): v4/v5 send a JSON
// metav1.Status (`Success`, or `Failure` with reason NonZeroExitCode and the code in
// details.causes[reason=ExitCode]); older protocols send only a failure's message as text, and
// nothing on success.

export interface ExitOutcome {
  exitCode: number | null;
  /** The Status object, the text, or null when the channel stayed empty. */
  status: unknown;
}

export function exitFromErrorChannel(bytes: Buffer, jsonStatus: boolean, sessionEndedCleanly: boolean): ExitOutcome {
  const text = bytes.toString("utf8").trim();
  if (text === "") {
    // Old protocols say nothing on success; v4/v5 always send a Status, so silence means the
    // stream ended before the command did.
    return { exitCode: !jsonStatus && sessionEndedCleanly ? 0 : null, status: null };
  }
  try {
    const status = JSON.parse(text) as { status?: unknown; reason?: unknown; details?: { causes?: { reason?: unknown; message?: unknown }[] } };
    if (status && typeof status === "object") {
      if (status.status === "Success") return { exitCode: 0, status };
      if (status.reason === "NonZeroExitCode") {
        const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
        const code = Number(cause?.message);
        return { exitCode: Number.isInteger(code) ? code : null, status };
      }
      return { exitCode: null, status };
    }
  } catch {
    // Text from an old protocol.
  }
  const match = /exit (?:code|status) (\d+)/.exec(text);
  return { exitCode: match ? Number(match[1]) : null, status: text };
}
