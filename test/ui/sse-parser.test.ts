// The renderer's server-sent event parser, fed the way a network delivers text: in arbitrary chunks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SseParser, type SseMessage } from "../../proxy/control/sse-parser.js";

function parse(chunks: readonly string[]): { messages: SseMessage[]; retryMs: number | null } {
  const messages: SseMessage[] = [];
  const parser = new SseParser((message) => messages.push(message));
  for (const chunk of chunks) parser.push(chunk);
  return { messages, retryMs: parser.retryMs };
}

/** Every way of cutting `text` in two, so no split point (mid-CRLF, mid-field) goes untried. */
function everySplit(text: string): string[][] {
  return Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]);
}

test("sse: named events with JSON data, as the control server sends them", () => {
  const stream = 'event: status\ndata: {"type":"status"}\n\nevent: agents\ndata: {"type":"agents","agents":[]}\n\n';
  for (const chunks of everySplit(stream)) {
    assert.deepEqual(parse(chunks).messages, [
      { event: "status", data: '{"type":"status"}', lastEventId: "" },
      { event: "agents", data: '{"type":"agents","agents":[]}', lastEventId: "" },
    ]);
  }
});

test("sse: CRLF, CR and LF line ends, split anywhere", () => {
  const stream = "data: a\r\n\r\ndata: b\r\rdata: c\n\n";
  for (const chunks of everySplit(stream)) {
    assert.deepEqual(
      parse(chunks).messages.map((m) => m.data),
      ["a", "b", "c"],
      JSON.stringify(chunks),
    );
  }
});

test("sse: multi-line data, comments, default event name, id and retry", () => {
  const { messages, retryMs } = parse([
    "\uFEFF: keep-alive\n",
    "id: 7\nretry: 2500\ndata:first\ndata:  second\n\n",
    "event: x\n\n", // no data: dispatches nothing, and the event name does not leak into the next
    "data\n\n",
    "retry: soon\nunknown: field\ndata: last\n\n",
  ]);
  assert.deepEqual(messages, [
    { event: "message", data: "first\n second", lastEventId: "7" },
    { event: "message", data: "", lastEventId: "7" },
    { event: "message", data: "last", lastEventId: "7" },
  ]);
  assert.equal(retryMs, 2500);
});

test("sse: a message ended by a lone CR is dispatched at once, not on the next chunk", () => {
  const messages: string[] = [];
  const parser = new SseParser((message) => messages.push(message.data));
  parser.push("data: now\r\r");
  assert.deepEqual(messages, ["now"]);
  parser.push("\ndata: next\n\n"); // a LF after the CR belongs to that CR's line end
  assert.deepEqual(messages, ["now", "next"]);
});

test("sse: an event not yet ended by a blank line is not dispatched", () => {
  assert.deepEqual(parse(["data: partial\n"]).messages, []);
});
