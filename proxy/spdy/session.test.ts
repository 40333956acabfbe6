import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { once } from "node:events";
import { randomBytes } from "node:crypto";
import { SpdySession, type SpdyStream } from "./session.js";
import { headerValue, RstStatus, spdyHeaders, type SpdyFrame } from "./frames.js";

async function sessionPair(onServer: (session: SpdySession) => void): Promise<{ client: SpdySession; server: SpdySession; close(): void }> {
  let serverSession: SpdySession | undefined;
  const listener = net.createServer((socket) => {
    serverSession = new SpdySession(socket, { role: "server" });
    onServer(serverSession);
  });
  listener.listen(0, "127.0.0.1");
  await once(listener, "listening");
  const socket = net.connect((listener.address() as net.AddressInfo).port, "127.0.0.1");
  await once(socket, "connect");
  const client = new SpdySession(socket, { role: "client" });
  while (!serverSession) await new Promise((r) => setImmediate(r));
  return {
    client,
    server: serverSession,
    close: () => {
      client.destroy();
      serverSession?.destroy();
      listener.close();
    },
  };
}

async function readAll(stream: SpdyStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test("a stream opened by the client is answered with SYN_REPLY and carries data both ways until both FINs", async () => {
  const pair = await sessionPair((server) => {
    server.on("stream", (stream) => {
      // Echo in upper case, then finish our side when the client finishes its side.
      stream.on("data", (chunk: Buffer) => stream.write(Buffer.from(chunk.toString().toUpperCase())));
      stream.on("end", () => stream.end());
    });
  });
  try {
    const stream = pair.client.openStream(spdyHeaders({ streamType: "data", port: "80" }));
    const [reply] = await once(stream, "reply");
    assert.deepEqual(reply, {});
    stream.end("hello spdy");
    assert.equal((await readAll(stream)).toString(), "HELLO SPDY");
    await new Promise((r) => setImmediate(r));
    assert.equal(pair.client.activeStreams, 0, "a stream closed in both directions is forgotten");
  } finally {
    pair.close();
  }
});

test("headers of a peer's stream are visible to the stream listener", async () => {
  let seen: string | undefined;
  const pair = await sessionPair((server) => server.on("stream", (s) => (seen = headerValue(s.headers, "streamType"))));
  try {
    const stream = pair.client.openStream(spdyHeaders({ streamType: "error" }));
    await once(stream, "reply");
    assert.equal(seen, "error");
  } finally {
    pair.close();
  }
});

test("a stream reset by the listener is refused with RST_STREAM and ends on the opener's side", async () => {
  const pair = await sessionPair((server) => server.on("stream", (s) => s.reset(RstStatus.RefusedStream)));
  try {
    const stream = pair.client.openStream(spdyHeaders({ streamType: "data" }));
    const [status] = await once(stream, "reset");
    assert.equal(status, RstStatus.RefusedStream);
    assert.equal((await readAll(stream)).length, 0);
  } finally {
    pair.close();
  }
});

test("PING from one side is echoed by the other", async () => {
  const pair = await sessionPair(() => {});
  try {
    const rtt = await pair.client.ping();
    assert.ok(rtt >= 0);
    const serverRtt = await pair.server.ping();
    assert.ok(serverRtt >= 0);
  } finally {
    pair.close();
  }
});

test("a megabyte written at once arrives intact through a slow reader", async () => {
  const payload = randomBytes(1024 * 1024);
  const pair = await sessionPair((server) => {
    server.on("stream", (stream) => stream.end(payload));
  });
  try {
    const frames: SpdyFrame[] = [];
    pair.client.on("frame", (f) => frames.push(f));
    const stream = pair.client.openStream(spdyHeaders({ streamType: "stdout" }), { fin: true });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      await new Promise((r) => setTimeout(r, 1)); // a reader slower than the network
    }
    assert.ok(Buffer.concat(chunks).equals(payload));
    const dataFrames = frames.filter((f) => f.type === "DATA");
    assert.ok(dataFrames.length >= 32, "large writes are split into several DATA frames");
  } finally {
    pair.close();
  }
});

test("close sends GOAWAY and ends the peer's session", async () => {
  const pair = await sessionPair(() => {});
  try {
    const goaway = once(pair.client, "goaway");
    const closed = once(pair.client, "close");
    pair.server.close();
    const [info] = await goaway;
    assert.equal(info.status, 0);
    await closed;
    assert.ok(pair.client.isClosed);
  } finally {
    pair.close();
  }
});

test("a stream id of the wrong parity is refused with a protocol error", async () => {
  const pair = await sessionPair(() => {});
  try {
    const frames: SpdyFrame[] = [];
    pair.client.on("frame", (f) => frames.push(f));
    // A client must use odd ids: forge a SYN_STREAM with an even id through the client's writer.
    pair.client.writeFrame({ type: "SYN_STREAM", streamId: 2, associatedToStreamId: 0, priority: 0, slot: 0, flags: 0, headers: {} });
    while (!frames.some((f) => f.type === "RST_STREAM")) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(frames.find((f) => f.type === "RST_STREAM"), { type: "RST_STREAM", streamId: 2, status: RstStatus.ProtocolError });
  } finally {
    pair.close();
  }
});
