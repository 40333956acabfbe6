// A unified diff with its lines coloured by kind. Each line is its own text node: the diff is of
// an agent's write, so nothing in it is ever interpreted, only shown.
import { memo } from "react";
import { agentLines } from "./agent-text";

type LineKind = "add" | "del" | "hunk" | "file" | "context";

function kindOf(line: string): LineKind {
  if (line.startsWith("+++ ") || line.startsWith("--- ")) return "file";
  if (line.startsWith("@@")) return "hunk";
  if (line.startsWith("+")) return "add";
  if (line.startsWith("-")) return "del";
  return "context";
}

// Memoized: the countdown re-renders its card every second, and a delete's diff can be long.
export const DiffView = memo(function DiffView({ diff, label }: { diff: string; label: string }) {
  const lines = agentLines(diff.replace(/\n$/, ""));
  const added = lines.filter((line) => kindOf(line) === "add").length;
  const removed = lines.filter((line) => kindOf(line) === "del").length;
  return (
    <figure className="diff" aria-label={`${label}: ${added} lines added, ${removed} removed`}>
      <pre tabIndex={0}>
        {lines.map((line, index) => (
          <span key={index} className={`diff-line ${kindOf(line)}`}>
            {line === "" ? " " : line}
            {"\n"}
          </span>
        ))}
      </pre>
    </figure>
  );
});
