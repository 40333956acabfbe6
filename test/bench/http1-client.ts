// A minimal keep-alive HTTP/1.1 client connection for the load generator: a prebuilt request head
// goes out in one write, and a small state machine reads the response (Content-Length or chunked)
// and hands body bytes over as slices of the received chunks. Node's http client would cost more
// per request than the gateway being measured; like wrk, this one costs as little as it can.
import net from "node:net";
import tls from "node:tls";
import type { Socket } from "node:net";

export interface Endpoint {
  host: string;
  port: number;
  tls: boolean;
  /** PEM of the CA that signed the server's certificate (TLS endpoints). */
  caPem?: string;
  /** Bearer token sent with every request, if any. */
  token?: string;
}

export interface ResponseHandler {
  /** Status and raw head text, once the head is complete. */
  onHead?(status: number, head: string): void;
  /** Decoded body bytes (chunk framing removed): a view into a received buffer, valid only during the call. */
  onBody?(data: Buffer): void;
  onEnd(status: number, bodyBytes: number): void;
  onError(error: Error): void;
  /** A 101 answer: the socket now belongs to the caller, with any bytes already read after the head. */
  onUpgrade?(socket: Socket, rest: Buffer, head: string): void;
}

/** TLS 1.3 suites in the order Go's crypto/tls (kubectl, kube-apiserver) uses on CPUs with AES instructions. */
export const GO_TLS13_SUITES = "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384";

export function connect(endpoint: Endpoint, timeoutMs = 10_000): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket: Socket = endpoint.tls
      ? // Offered like kubectl offers them, so the gateway negotiates what it would with kubectl.
        tls.connect({ host: endpoint.host, port: endpoint.port, ca: endpoint.caPem, ALPNProtocols: ["http/1.1"], ciphers: GO_TLS13_SUITES })
      : net.connect({ host: endpoint.host, port: endpoint.port });
    const timer = setTimeout(() => socket.destroy(new Error(`connect to ${endpoint.host}:${endpoint.port} timed out`)), timeoutMs);
    socket.once(endpoint.tls ? "secureConnect" : "connect", () => {
      clearTimeout(timer);
      socket.setNoDelay(true);
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

export function requestHead(endpoint: Endpoint, method: string, path: string, extra: Record<string, string> = {}): Buffer {
  let head =
    `${method} ${path} HTTP/1.1\r\nHost: ${endpoint.host}:${endpoint.port}\r\n` +
    `User-Agent: kubectl/v1.33.0 (linux/amd64) kubernetes/bench\r\nAccept: application/json, */*\r\n`;
  if (endpoint.token) head += `Authorization: Bearer ${endpoint.token}\r\n`;
  for (const [name, value] of Object.entries(extra)) head += `${name}: ${value}\r\n`;
  return Buffer.from(head + "\r\n", "latin1");
}

const enum State {
  Idle,
  Head,
  Body,
  BodyUntilClose,
  ChunkSize,
  ChunkData,
  ChunkCrlf,
  Trailer,
}

const CRLFCRLF = Buffer.from("\r\n\r\n", "latin1");

export class Http1Connection {
  private state = State.Idle;
  private handler: ResponseHandler | null = null;
  private headParts: Buffer[] = [];
  private status = 0;
  private remaining = 0;
  private bodyBytes = 0;
  private line = "";
  private dead = false;

  constructor(readonly socket: Socket) {
    socket.on("data", this.onData);
    socket.on("error", () => undefined);
    socket.on("close", () => {
      this.dead = true;
      const handler = this.handler;
      this.handler = null;
      if (!handler) return;
      if (this.state === State.BodyUntilClose) handler.onEnd(this.status, this.bodyBytes);
      else handler.onError(new Error("connection closed before the response ended"));
    });
  }

  static async open(endpoint: Endpoint): Promise<Http1Connection> {
    return new Http1Connection(await connect(endpoint));
  }

  get alive(): boolean {
    return !this.dead && !this.socket.destroyed;
  }

  request(head: Buffer, handler: ResponseHandler): void {
    if (!this.alive) {
      handler.onError(new Error("connection is closed"));
      return;
    }
    this.handler = handler;
    this.state = State.Head;
    this.headParts.length = 0;
    this.bodyBytes = 0;
    this.socket.write(head);
  }

  close(): void {
    this.handler = null;
    this.socket.destroy();
  }

  private finish(): void {
    const handler = this.handler;
    this.handler = null;
    this.state = State.Idle;
    handler?.onEnd(this.status, this.bodyBytes);
  }

  private body(data: Buffer): void {
    this.bodyBytes += data.length;
    this.handler?.onBody?.(data);
  }

  private readonly onData = (chunk: Buffer): void => {
    let at = 0;
    while (at < chunk.length && this.handler) {
      switch (this.state) {
        case State.Head: {
          // The head usually arrives whole in one chunk; only split heads are stitched.
          let buffer = chunk;
          let base = at;
          if (this.headParts.length > 0) {
            this.headParts.push(chunk.subarray(at));
            buffer = Buffer.concat(this.headParts);
            base = 0;
          }
          const end = buffer.indexOf(CRLFCRLF, Math.max(base, 0));
          if (end < 0) {
            if (this.headParts.length === 0) this.headParts.push(chunk.subarray(at));
            return;
          }
          const head = buffer.toString("latin1", base, end);
          const consumedInBuffer = end + 4;
          // Translate the position in the stitched buffer back to this chunk.
          at = this.headParts.length > 0 ? chunk.length - (buffer.length - consumedInBuffer) : consumedInBuffer;
          this.headParts.length = 0;
          this.onHead(head, chunk, at);
          // Upgraded (the socket changed hands) or finished: nothing more to read here.
          if (this.handler === null) return;
          break;
        }
        case State.Body: {
          const take = Math.min(this.remaining, chunk.length - at);
          this.body(chunk.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finish();
          break;
        }
        case State.BodyUntilClose:
          this.body(chunk.subarray(at));
          at = chunk.length;
          break;
        case State.ChunkSize:
        case State.Trailer: {
          const nl = chunk.indexOf(10, at);
          const end = nl < 0 ? chunk.length : nl + 1;
          this.line += chunk.toString("latin1", at, end);
          at = end;
          if (nl < 0) break;
          const line = this.line.trim();
          this.line = "";
          if (this.state === State.Trailer) {
            if (line === "") this.finish();
            break;
          }
          const size = parseInt(line, 16);
          if (!Number.isFinite(size)) {
            this.fail(new Error(`bad chunk size line ${JSON.stringify(line)}`));
            return;
          }
          if (size === 0) this.state = State.Trailer;
          else {
            this.remaining = size;
            this.state = State.ChunkData;
          }
          break;
        }
        case State.ChunkData: {
          const take = Math.min(this.remaining, chunk.length - at);
          this.body(chunk.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) {
            this.state = State.ChunkCrlf;
            this.remaining = 2;
          }
          break;
        }
        case State.ChunkCrlf: {
          const take = Math.min(this.remaining, chunk.length - at);
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = State.ChunkSize;
          break;
        }
        case State.Idle:
          // Bytes nobody asked for: the server is not speaking HTTP/1.1 as expected.
          this.fail(new Error("unexpected bytes on an idle connection"));
          return;
      }
    }
  };

  private onHead(head: string, chunk: Buffer, at: number): void {
    this.status = Number(head.slice(9, 12));
    const handler = this.handler as ResponseHandler;
    handler.onHead?.(this.status, head);
    if (this.status === 101) {
      this.handler = null;
      this.state = State.Idle;
      this.socket.off("data", this.onData);
      if (!handler.onUpgrade) {
        handler.onError(new Error("unexpected 101 Switching Protocols"));
        return;
      }
      handler.onUpgrade(this.socket, chunk.subarray(at), head);
      return;
    }
    const lower = head.toLowerCase();
    if (/\r\ntransfer-encoding:[^\r]*chunked/.test(lower)) {
      this.state = State.ChunkSize;
      this.line = "";
      return;
    }
    const length = /\r\ncontent-length:\s*(\d+)/.exec(lower);
    if (length) {
      this.remaining = Number(length[1]);
      this.state = State.Body;
      if (this.remaining === 0) this.finish();
      return;
    }
    this.state = State.BodyUntilClose;
  }

  private fail(error: Error): void {
    const handler = this.handler;
    this.handler = null;
    this.state = State.Idle;
    this.socket.destroy();
    handler?.onError(error);
  }
}
