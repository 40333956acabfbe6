// Text an agent controls (object names, exec command lines, request bodies, diffs, API server
// messages) shown to the person deciding about it. React already renders it as text, never HTML;
// what remains is characters that change what is *seen*: control characters and bidirectional
// overrides could hide or reorder part of a line ("allow" over a "delete"). They are made visible
// with the same rules the CLI uses, so the terminal and the window show an approver the same thing.
export { safeLine as agentLine, safeLines as agentLines, shellQuote } from "../../proxy/cli/terminal-text.js";
