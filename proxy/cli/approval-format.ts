// How pending approvals and decisions read at the terminal, shared by `approvals list|approve|deny`
// and the interactive `approvals watch`. Everything an agent controls goes through terminal-text.
import type { ApprovalView, DecideResult, RuleView } from "../control/contract.js";
import { formatDuration } from "./duration.js";
import { safeLine, safeLines, shellQuote } from "./terminal-text.js";

/**
 * A delete's diff is the whole object going away; past a screenful, the rest of a diff would push
 * the request's own description off the terminal.
 */
export const MAX_DIFF_LINES = 40;

export function ruleName(rule: RuleView): string {
  return `${rule.profile}/${rule.name}`;
}

export function agentLabel(view: Pick<ApprovalView, "agent" | "run">): string {
  return view.run === null ? view.agent : `${view.agent} (run ${safeLine(view.run)})`;
}

export function expiresIn(expiresAt: string, now = Date.now()): string {
  const left = Date.parse(expiresAt) - now;
  return Number.isNaN(left) ? "expiry unknown" : left <= 0 ? "expired" : `expires in ${formatDuration(left)}`;
}

/** `a1b2c3  claude  delete namespaces "prod"  (rule guarded/default, expires in 4m12s)` */
export function approvalLine(view: ApprovalView, now = Date.now()): string {
  return `${view.id}  ${agentLabel(view)}  ${safeLine(view.summary)}  (rule ${ruleName(view.rule)}, ${expiresIn(view.expiresAt, now)})`;
}

/** Oldest first: the order requests arrived in. */
export function byArrival(a: ApprovalView, b: ApprovalView): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function execLine(view: ApprovalView): string | null {
  if (view.exec === null) return null;
  const flags = [view.exec.container ? `container ${safeLine(view.exec.container)}` : null, view.exec.tty ? "tty" : null, view.exec.stdin ? "stdin" : null].filter(
    (f): f is string => f !== null,
  );
  const command = view.exec.command.length === 0 ? "(no command: attach)" : view.exec.command.map((arg) => safeLine(shellQuote(arg))).join(" ");
  return `${command}${flags.length > 0 ? `  (${flags.join(", ")})` : ""}`;
}

/** The dry-run preview's lines (first one labelled by the caller); empty when there is none. */
export function previewLines(view: ApprovalView): string[] {
  const preview = view.preview;
  if (preview === null) return [];
  if (preview.state === "pending") return ["dry run pending…"];
  if (preview.state === "unavailable") return [`unavailable${preview.message ? `: ${safeLine(preview.message)}` : ""}`];
  if (preview.rejected) return [`would be rejected: ${safeLine(preview.message ?? `HTTP ${preview.status ?? "?"}`)}`];
  if (preview.diff !== null && preview.diff.trim() !== "") {
    const lines = safeLines(preview.diff.replace(/\n$/, ""));
    const shown = lines.slice(0, MAX_DIFF_LINES).map((l) => `  ${l}`);
    if (lines.length > MAX_DIFF_LINES) shown.push(`  … ${lines.length - MAX_DIFF_LINES} more lines (the desktop UI shows the whole diff)`);
    return ["the API server would accept it; diff:", ...shown];
  }
  return ["the API server would accept it (no changes to show)"];
}

/** The full description `approvals watch` prints for a request when its turn comes. */
export function approvalBlock(view: ApprovalView, now = Date.now()): string[] {
  const lines = [
    `request ${view.id} from ${agentLabel(view)}, ${expiresIn(view.expiresAt, now)}`,
    `  ${safeLine(view.summary)}`,
    `  rule:     ${ruleName(view.rule)} (${view.rule.source})${view.reason ? `: ${safeLine(view.reason)}` : ""}`,
  ];
  const exec = execLine(view);
  if (exec !== null) lines.push(`  exec:     ${exec}`);
  const preview = previewLines(view);
  if (preview.length > 0) {
    lines.push(`  preview:  ${preview[0] as string}`);
    for (const line of preview.slice(1)) lines.push(`    ${line}`);
  }
  if (view.alwaysRule.trim() !== "") {
    lines.push(`  "always" would add to profile ${view.profile}:`);
    for (const line of safeLines(view.alwaysRule.replace(/\n$/, ""))) lines.push(`    ${line}`);
  }
  return lines;
}

export interface DecisionContext {
  view: ApprovalView;
  /** What the approver typed for --for, as given (e.g. "10m"). */
  duration?: string;
  reason?: string;
  policyFile: string;
}

/** What a decision did, for the person who made it. */
export function decisionLines(result: DecideResult, context: DecisionContext): string[] {
  const { view } = context;
  const what = `${result.id}: ${safeLine(view.summary)} (agent ${agentLabel(view)})`;
  if (result.outcome === "denied") {
    return [`denied ${what}`, ...(context.reason ? [`  the agent reads: Denied by the approver: ${safeLine(context.reason)}`] : [])];
  }
  const lines = [`allowed ${what}${result.grant === null && result.ruleAdded === null ? ", once" : ""}`];
  if (result.grant !== null) {
    const grant = result.grant;
    const until = new Date(grant.expiresAt);
    lines.push(
      `  grant ${grant.id}: ${grant.agent}'s requests matching rule ${ruleName(grant.rule)} are allowed${context.duration ? ` for ${context.duration}` : ""} (until ${until.toLocaleTimeString()})`,
    );
  }
  if (result.ruleAdded !== null) {
    lines.push(`  added rule ${result.ruleAdded.name} to profile ${result.ruleAdded.profile} in ${context.policyFile}:`);
    for (const line of safeLines(result.ruleAdded.text.replace(/\n$/, ""))) lines.push(`    ${line}`);
  }
  return lines;
}
