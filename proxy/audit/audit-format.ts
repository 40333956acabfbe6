// One audit event as one readable line, for `chaperone audit tail`:
//   TIME  WHO  [run=ID]  VERB  TARGET  OUTCOME  [details]
// e.g.
//   2025-06-01T12:00:00.123Z  claude  run=3f9a2c1b7d4e  delete  pods/x -n default  404 NotFound  allow everyday/default
//   2025-06-01T12:00:03.500Z  claude  exec  pods/nginx -n default -- sh  101  exit=0 recording=6c1e0f2a
//   2025-06-01T12:00:05.001Z  developer (control API)  approve  approval 3f2a1b0c  allow-for 10m  claude: delete pods "x"
import { ANNOTATION, type AuditEvent } from "./audit-event.js";
import { safeLine } from "../cli/terminal-text.js";
import { queryOf } from "../gateway/request-query.js";

function target(event: AuditEvent): string {
  const ref = event.objectRef;
  if (!ref || !ref.resource) return event.requestURI;
  const group = ref.apiGroup ? `.${ref.apiGroup}` : "";
  const sub = ref.subresource ? `/${ref.subresource}` : "";
  const name = ref.name ? `/${ref.name}` : "";
  const namespace = ref.namespace ? ` -n ${ref.namespace}` : "";
  let out = `${ref.resource}${group}${name}${sub}${namespace}`;
  if (ref.subresource === "exec") {
    const command = queryOf(event.requestURI).getAll("command");
    if (command.length) out += ` -- ${command.join(" ")}`;
  }
  return out;
}

export function formatEvent(event: AuditEvent): string {
  const a = event.annotations ?? {};
  const kind = a[ANNOTATION.event] ?? "request";
  const parts: string[] = [event.stageTimestamp.replace(/(\.\d{3})\d{3}Z$/, "$1Z")];
  if (kind !== "request") {
    parts.push(event.user?.username ?? "chaperone", kind);
    const details: string[] = [];
    for (const [key, value] of Object.entries(a)) {
      if (key === ANNOTATION.event || key === ANNOTATION.seq || key === ANNOTATION.prev || key === ANNOTATION.hash) continue;
      details.push(`${key.replace(/^chaperone\.dev\//, "")}=${value}`);
    }
    if (event.objectRef?.name) parts.push(`${event.objectRef.resource ?? ""}/${event.objectRef.name}`);
    parts.push(details.join(" "));
    return safeLine(parts.filter((p) => p !== "").join("  "));
  }
  parts.push(a[ANNOTATION.agent] ?? event.user?.username ?? "?");
  if (a[ANNOTATION.run]) parts.push(`run=${a[ANNOTATION.run]}`);
  parts.push(event.verb, target(event));
  if (event.stage === "RequestReceived") parts.push("(recorded before sending)");
  else if (event.responseStatus) parts.push(`${event.responseStatus.code}${event.responseStatus.reason ? ` ${event.responseStatus.reason}` : ""}`);
  const decision = a[ANNOTATION.decision];
  if (decision) {
    let text = `${decision} ${a[ANNOTATION.rule] ?? ""}`.trim();
    if (a[ANNOTATION.approval]) text += ` → ${a[ANNOTATION.approval]}${a[ANNOTATION.approver] ? ` by ${a[ANNOTATION.approver]}` : ""}`;
    if (a[ANNOTATION.approvalReason]) text += ` (${a[ANNOTATION.approvalReason]})`;
    parts.push(text);
  }
  if (a[ANNOTATION.exitCode]) parts.push(`exit=${a[ANNOTATION.exitCode]}`);
  const recording = a[ANNOTATION.recording];
  if (recording) parts.push(`recording=${recording.slice(0, 8)}`);
  if (a[ANNOTATION.recordingError]) parts.push(`recording error: ${a[ANNOTATION.recordingError]}`);
  if (event.responseStatus?.message && event.responseStatus.code >= 400) parts.push(`"${event.responseStatus.message}"`);
  return safeLine(parts.join("  "));
}
