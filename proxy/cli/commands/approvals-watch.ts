// `chaperone approvals watch`: follows the engine's event stream and lets a person answer held
// requests one at a time, oldest first. Each `approvals` event carries the whole pending list, so
// the watcher diffs it against what it knows: new requests join the queue, and a request that
// vanished (decided in the UI or another terminal, withdrawn by the agent, expired) is dropped
// with a note — and if it was the one being asked about, the prompt moves on.
//
// Input is read line by line, so it works the same from a terminal and from a pipe (tests, scripts).
// From a pipe, lines are answers in order, even if they arrive before their request; at a
// terminal, a line typed while nothing is being asked is discarded, so a stray keypress can never
// answer a request the person has not seen yet. The watch ends when input ends.
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { ApprovalView, DecideRequest, DecideResult } from "../../control/contract.js";
import type { ControlClient } from "../../control/control-client.js";
import { CliError } from "../cli-error.js";
import { parseDuration } from "../duration.js";
import { MAX_GRANT_MINUTES } from "../../control/contract.js";
import { approvalBlock, byArrival, decisionLines, previewLines } from "../approval-format.js";
import { safeLine } from "../terminal-text.js";

export const WATCH_PROMPT = "[a]llow once / allow [f]or N minutes / a[l]ways / [d]eny (reason) / [s]kip: ";
const DURATION_PROMPT = "allow for how long? (minutes, or e.g. 90s, 2h): ";
const HELP = "answer a (allow once), f N (allow for N minutes, or f 2h), l (always: add the rule shown), d REASON (deny; the reason is optional), s (skip)";

export interface WatchOptions {
  policyFile: string;
  input: Readable;
  output: Writable;
}

const ABORTED = Symbol("aborted");

/** Lines of input, handed out one per question. */
class LineInput {
  private readonly buffered: string[] = [];
  private waiter: ((line: string | null | typeof ABORTED) => void) | null = null;
  ended = false;
  onEnd: () => void = () => {};

  constructor(
    input: Readable,
    private readonly interactive: boolean,
    private readonly say: (line: string) => void,
  ) {
    const lines = createInterface({ input, crlfDelay: Infinity });
    lines.on("line", (line) => {
      if (this.waiter) {
        const waiter = this.waiter;
        this.waiter = null;
        waiter(line);
      } else if (this.interactive) {
        if (line.trim() !== "") this.say("(nothing is being asked right now; that line was ignored)");
      } else {
        this.buffered.push(line);
      }
    });
    lines.on("close", () => {
      this.ended = true;
      const waiter = this.waiter;
      this.waiter = null;
      waiter?.(null);
      this.onEnd();
    });
    this.close = () => lines.close();
  }

  readonly close: () => void;

  /** Answers whether a line is ready without waiting (buffered input from a pipe). */
  hasBuffered(): boolean {
    return this.buffered.length > 0;
  }

  /** The next line; null at end of input; ABORTED when `signal` fires first. */
  next(signal: AbortSignal): Promise<string | null | typeof ABORTED> {
    // Checked first: a line must never be spent on a request that has already gone.
    if (signal.aborted) return Promise.resolve(ABORTED);
    const line = this.buffered.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        if (this.waiter === waiter) this.waiter = null;
        resolve(ABORTED);
      };
      const waiter = (value: string | null | typeof ABORTED): void => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      };
      this.waiter = waiter;
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
}

type Answer = { kind: "decide"; request: DecideRequest; duration?: string; reason?: string } | { kind: "skip" } | { kind: "gone" } | { kind: "eof" };

/** Sends an answer to the engine (the control API's decide route; a stand-in in unit tests). */
export type Decide = (id: string, request: DecideRequest) => Promise<DecideResult>;

export class ApprovalWatcher {
  private readonly known = new Map<string, ApprovalView>();
  private queue: string[] = [];
  /** Answered or skipped here: never asked about again, and no note when they leave the list. */
  private readonly done = new Set<string>();
  private current: { id: string; abort: AbortController } | null = null;
  private wake: (() => void) | null = null;
  private streamEnded: string | null = null;
  private readonly input: LineInput;
  /** Input from a terminal (which echoes what is typed), not a pipe. */
  private readonly interactive: boolean;

  constructor(
    private readonly decide: Decide,
    private readonly options: WatchOptions,
  ) {
    this.interactive = (options.input as Readable & { isTTY?: boolean }).isTTY === true;
    this.input = new LineInput(options.input, this.interactive, (line) => this.say(line));
    this.input.onEnd = () => this.poke();
  }

  private say(line: string): void {
    this.options.output.write(`${line}\n`);
  }

  private prompt(text: string): void {
    this.options.output.write(text);
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  /** A new pending list from the stream. */
  onApprovals(list: readonly ApprovalView[]): void {
    const now = Date.now();
    const present = new Set(list.map((v) => v.id));
    for (const [id, view] of this.known) {
      if (present.has(id)) continue;
      this.known.delete(id);
      this.queue = this.queue.filter((queued) => queued !== id);
      if (this.done.delete(id)) continue;
      const why = Date.parse(view.expiresAt) <= now ? "expired" : "decided elsewhere or withdrawn";
      const isCurrent = this.current?.id === id;
      this.say(`${isCurrent ? "\n" : ""}note: ${id} (${safeLine(view.summary)}) is no longer pending: ${why}`);
      if (isCurrent) this.current?.abort.abort();
    }
    for (const view of [...list].sort(byArrival)) {
      const previous = this.known.get(view.id);
      this.known.set(view.id, view);
      if (previous === undefined) {
        if (this.done.has(view.id)) continue;
        this.queue.push(view.id);
        if (this.current !== null) this.say(`\n(queued ${view.id} from ${safeLine(view.agent)}: ${safeLine(view.summary)})`);
        continue;
      }
      // The dry run finishes after the request is shown: show its outcome, then ask again.
      if (this.current?.id === view.id && previous.preview?.state === "pending" && view.preview !== null && view.preview.state !== "pending") {
        const [first, ...more] = previewLines(view);
        this.say(`\n  preview:  ${first ?? ""}`);
        for (const line of more) this.say(`    ${line}`);
        this.prompt(WATCH_PROMPT);
      }
    }
    this.poke();
  }

  onStreamEnd(reason: string): void {
    this.streamEnded = reason;
    this.current?.abort.abort();
    this.poke();
  }

  /** The next request to ask about; null when the watch is over. */
  private async nextRequest(): Promise<ApprovalView | null> {
    for (;;) {
      if (this.streamEnded !== null) return null;
      // End of input ends the watch once nothing typed ahead is left to answer with.
      if (this.input.ended && !this.input.hasBuffered()) return null;
      const id = this.queue.shift();
      if (id !== undefined) {
        const view = this.known.get(id);
        if (view) return view;
        continue;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private async ask(signal: AbortSignal): Promise<string | null | typeof ABORTED> {
    const line = await this.input.next(signal);
    // Echo piped answers, so a transcript reads like a terminal session.
    if (typeof line === "string" && !this.interactive) this.options.output.write(`${line}\n`);
    return line;
  }

  private async answer(signal: AbortSignal): Promise<Answer> {
    for (;;) {
      this.prompt(WATCH_PROMPT);
      const line = await this.ask(signal);
      if (line === ABORTED) return { kind: "gone" };
      if (line === null) return { kind: "eof" };
      const text = line.trim();
      const space = text.search(/\s/);
      const word = (space === -1 ? text : text.slice(0, space)).toLowerCase();
      const arg = space === -1 ? "" : text.slice(space + 1).trim();
      switch (word) {
        case "":
          continue;
        case "a":
        case "allow":
        case "once":
          return { kind: "decide", request: { decision: "allow-once" } };
        case "l":
        case "always":
          return { kind: "decide", request: { decision: "always" } };
        case "s":
        case "skip":
          return { kind: "skip" };
        case "d":
        case "deny":
          return arg === "" ? { kind: "decide", request: { decision: "deny" } } : { kind: "decide", request: { decision: "deny", reason: arg }, reason: arg };
        case "f":
        case "for": {
          let duration = arg;
          if (duration === "") {
            this.prompt(DURATION_PROMPT);
            const more = await this.ask(signal);
            if (more === ABORTED) return { kind: "gone" };
            if (more === null) return { kind: "eof" };
            duration = more.trim();
            if (duration === "") continue;
          }
          // At this prompt a bare number means minutes, as the prompt says.
          const written = /^\d+(\.\d+)?$/.test(duration) ? `${duration}m` : duration;
          try {
            const ms = parseDuration(written, "allow for", MAX_GRANT_MINUTES * 60_000);
            return { kind: "decide", request: { decision: "allow-for", minutes: ms / 60_000 }, duration: written };
          } catch (error) {
            this.say((error as Error).message);
            continue;
          }
        }
        default:
          this.say(HELP);
          continue;
      }
    }
  }

  async run(): Promise<number> {
    this.say(`watching for requests that need approval (end of input stops; Ctrl-C too)`);
    for (;;) {
      const view = await this.nextRequest();
      if (view === null) break;
      this.say("");
      for (const line of approvalBlock(view)) this.say(line);
      const abort = new AbortController();
      this.current = { id: view.id, abort };
      let settled = false;
      while (!settled) {
        const answer = await this.answer(abort.signal);
        settled = true;
        if (answer.kind === "gone") break;
        if (answer.kind === "eof") {
          this.say(`\ninput ended; ${view.id} stays pending`);
          break;
        }
        if (answer.kind === "skip") {
          this.done.add(view.id);
          this.say(`skipped ${view.id}; it stays pending (answer it with: chaperone approvals approve|deny ${view.id})`);
          break;
        }
        if (abort.signal.aborted) break;
        try {
          // Marked first: the event announcing it is gone may arrive before the answer does.
          this.done.add(view.id);
          const result = await this.decide(view.id, answer.request);
          const context = { view, policyFile: this.options.policyFile, ...(answer.duration ? { duration: answer.duration } : {}), ...(answer.reason ? { reason: answer.reason } : {}) };
          for (const line of decisionLines(result, context)) this.say(line);
        } catch (error) {
          if (!(error instanceof CliError)) throw error;
          this.say(`could not answer ${view.id}: ${error.message}`);
          // Still pending (say, the policy file could not take the rule): ask again.
          if (this.known.has(view.id) && !abort.signal.aborted) {
            this.done.delete(view.id);
            settled = false;
          }
        }
      }
      this.current = null;
    }
    this.input.close();
    if (this.streamEnded !== null) throw new CliError(`approvals watch: ${this.streamEnded}`);
    return 0;
  }
}

export async function watchApprovals(client: ControlClient, options: WatchOptions): Promise<number> {
  const watcher = new ApprovalWatcher((id, body) => client.call("POST /api/v1/approvals/:id/decide", { params: { id }, body }), options);
  const stream = await client.subscribe((event) => {
    if (event.type === "approvals") watcher.onApprovals(event.approvals);
  });
  void stream.ended.then((reason) => watcher.onStreamEnd(reason));
  try {
    return await watcher.run();
  } finally {
    stream.close();
  }
}
