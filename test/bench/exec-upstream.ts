// The kubelet's side of an exec stream, reduced to what the throughput benchmark needs: accept the
// upgrade (WebSocket v5/v4.channel.k8s.io or SPDY/3.1 with v4.channel.k8s.io), then push N bytes of
// stdout as fast as the socket takes them, then a Success status on the error channel, then close.
// Frames are built once and written again and again, so the upstream spends no time per byte.
import type { Socket } from "node:net";
import { SpdySession, SpdyStream, FLAG_FIN, headerValue } from "../../proxy/spdy/index.js";
import { CHANNEL_ERROR, CHANNEL_STDOUT, serverChannelFrame, serverCloseFrame, websocketAccept } from "./websocket-frames.js";

/** The payload of one stdout frame: what io.Copy's 32 KiB buffer gives the kubelet. */
const FRAME_DATA = 32 * 1024;
/** Frames per socket write: fewer, larger writes, as a busy kubelet's socket sees them. */
const FRAMES_PER_WRITE = 8;
const SUCCESS = Buffer.from(JSON.stringify({ metadata: {}, status: "Success" }));
const WEBSOCKET_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"];

const stdoutData = Buffer.alloc(FRAME_DATA);
for (let i = 0; i < FRAME_DATA; i++) stdoutData[i] = i % 64 === 63 ? 0x0a : 0x61 + (i % 26);

/** The stdout size the client asked for: the numeric argument of `head -c N`. */
export function requestedBytes(url: string): number {
  const query = new URLSearchParams(url.slice(url.indexOf("?") + 1));
  for (const arg of query.getAll("command")) {
    if (/^\d+$/.test(arg)) return Number(arg);
  }
  return 0;
}

/** Writes `total` bytes as repeated `frame`s (each carrying `perFrame` data bytes), honouring back-pressure. */
function pump(socket: Socket, total: number, batch: Buffer, perBatch: number, lastFrame: (bytes: number) => Buffer, done: () => void): void {
  let left = total;
  const step = (): void => {
    while (left > 0 && !socket.destroyed) {
      let chunk: Buffer;
      if (left >= perBatch) {
        chunk = batch;
        left -= perBatch;
      } else {
        chunk = lastFrame(left);
        left = 0;
      }
      if (!socket.write(chunk)) {
        socket.once("drain", step);
        return;
      }
    }
    if (!socket.destroyed) done();
  };
  step();
}

/** Splits a tail smaller than one batch into frames of at most FRAME_DATA bytes. */
function tailFrames(bytes: number, frame: (data: Buffer) => Buffer): Buffer {
  const frames: Buffer[] = [];
  for (let left = bytes; left > 0; left -= FRAME_DATA) frames.push(frame(stdoutData.subarray(0, Math.min(FRAME_DATA, left))));
  return Buffer.concat(frames);
}

export function acceptWebSocketExec(socket: Socket, url: string, headers: Record<string, string>): void {
  const offered = (headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim());
  const protocol = WEBSOCKET_PROTOCOLS.find((p) => offered.includes(p));
  const key = headers["sec-websocket-key"];
  if (!protocol || !key) {
    socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return;
  }
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  const frame = (data: Buffer): Buffer => serverChannelFrame(CHANNEL_STDOUT, data);
  const one = frame(stdoutData);
  const batch = Buffer.concat(Array.from({ length: FRAMES_PER_WRITE }, () => one));
  // The client sends nothing but a close; read and drop so its bytes never back up.
  socket.on("data", () => undefined);
  pump(socket, requestedBytes(url), batch, FRAME_DATA * FRAMES_PER_WRITE, (bytes) => tailFrames(bytes, frame), () => {
    socket.write(serverChannelFrame(CHANNEL_ERROR, SUCCESS));
    socket.end(serverCloseFrame());
  });
}

function spdyDataFrame(streamId: number, data: Buffer, flags = 0): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(streamId & 0x7fffffff, 0);
  header.writeUInt32BE(((flags << 24) | data.length) >>> 0, 4);
  return Buffer.concat([header, data]);
}

export function acceptSpdyExec(socket: Socket, url: string, headers: Record<string, string>, head: Buffer): void {
  if (!/^v4\.channel\.k8s\.io$/i.test((headers["x-stream-protocol-version"] ?? "").split(",")[0]?.trim() ?? "")) {
    socket.end("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    return;
  }
  socket.write("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: v4.channel.k8s.io\r\n\r\n");
  if (head.length > 0) socket.unshift(head);
  const session = new SpdySession(socket, { role: "server" });
  session.on("error", () => socket.destroy());
  const streams = new Map<string, SpdyStream>();
  let started = false;
  session.on("stream", (stream) => {
    streams.set(headerValue(stream.headers, "streamType") ?? "", stream);
    const stdout = streams.get("stdout");
    const error = streams.get("error");
    if (started || !stdout || !error) return;
    started = true;
    // After the session has answered the SYN_STREAM with its SYN_REPLY (it does so once the
    // `stream` listeners return): stdout DATA must not overtake it.
    setImmediate(() => {
      const one = spdyDataFrame(stdout.id, stdoutData);
      const batch = Buffer.concat(Array.from({ length: FRAMES_PER_WRITE }, () => one));
      pump(socket, requestedBytes(url), batch, FRAME_DATA * FRAMES_PER_WRITE, (bytes) => tailFrames(bytes, (d) => spdyDataFrame(stdout.id, d)), () => {
        socket.write(spdyDataFrame(stdout.id, Buffer.alloc(0), FLAG_FIN));
        error.end(SUCCESS, () => session.close());
      });
    });
  });
}
