// A SPDY/3.1 connection over any byte Duplex (a socket, or a WebSocket tunnel), with streams as Node
// Duplexes. It follows the behaviour of moby/spdystream, the implementation on the other end of every
// Kubernetes SPDY connection, rather than the full draft:
// - no flow-control windows: spdystream never sends WINDOW_UPDATE and ignores them, so honouring the
//   64 KiB initial window would stall; back-pressure comes from the transport instead (a stream whose
//   reader falls behind pauses the whole connection, as spdystream's unbuffered channels do);
// - a stream the peer opens is answered with an empty SYN_REPLY once the `stream` listeners have run,
//   unless one of them reset it (k8s' `newSpdyStream`);
// - PINGs with the peer's parity are echoed (client ids are odd, server ids even).
import { EventEmitter } from "node:events";
import { Duplex } from "node:stream";
import { FrameParser } from "./frame-parser.js";
import { FrameSerializer } from "./frame-serializer.js";
import {
  FLAG_FIN,
  FLAG_UNIDIRECTIONAL,
  GoAwayStatus,
  RstStatus,
  SpdyProtocolError,
  type SpdyFrame,
  type SpdyHeaders,
} from "./frames.js";

/** Largest DATA payload written at once: small enough to interleave streams fairly, large enough to be cheap. */
const DEFAULT_MAX_DATA_FRAME = 32 * 1024;

export interface SpdySessionOptions {
  role: "server" | "client";
  maxDataFrameSize?: number;
}

export interface OpenStreamOptions {
  fin?: boolean;
  priority?: number;
}

export interface SpdySessionEvents {
  /** A stream opened by the peer; call `stream.reset()` in the listener to refuse it. */
  stream: [SpdyStream];
  /** Every frame received, after decoding, for observers (recorders, tests). */
  frame: [SpdyFrame];
  goaway: [{ lastGoodStreamId: number; status: number }];
  close: [];
  error: [Error];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  readonly role: "server" | "client";
  private readonly parser = new FrameParser();
  private readonly serializer = new FrameSerializer();
  private readonly streams = new Map<number, SpdyStream>();
  private readonly maxDataFrame: number;
  private readonly blockedReaders = new Set<SpdyStream>();
  private readonly pendingPings = new Map<number, () => void>();
  private nextStreamId: number;
  private nextPingId: number;
  private lastPeerStreamId = 0;
  private goneAway = false;
  private closed = false;

  constructor(
    readonly transport: Duplex,
    options: SpdySessionOptions,
  ) {
    super();
    this.role = options.role;
    this.maxDataFrame = options.maxDataFrameSize ?? DEFAULT_MAX_DATA_FRAME;
    this.nextStreamId = this.role === "client" ? 1 : 2;
    this.nextPingId = this.role === "client" ? 1 : 2;
    transport.on("data", (chunk: Buffer) => this.onData(chunk));
    transport.on("end", () => this.teardown());
    transport.on("close", () => this.teardown());
    transport.on("error", (error: Error) => {
      // A reset transport is the normal way many clients leave; only report it, then tear down.
      if (this.listenerCount("error") > 0) this.emit("error", error);
      this.teardown();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get activeStreams(): number {
    return this.streams.size;
  }

  /** Opens a stream (SYN_STREAM). Its `reply` event fires on the peer's SYN_REPLY. */
  openStream(headers: SpdyHeaders, options: OpenStreamOptions = {}): SpdyStream {
    if (this.closed || this.goneAway) throw new Error("SPDY session is closing");
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const stream = new SpdyStream(this, id, headers);
    this.streams.set(id, stream);
    const flags = options.fin ? FLAG_FIN : 0;
    this.writeFrame({ type: "SYN_STREAM", streamId: id, associatedToStreamId: 0, priority: options.priority ?? 0, slot: 0, flags, headers });
    if (options.fin) stream.markLocalFinished();
    return stream;
  }

  /** Sends a PING and resolves with the round-trip time in milliseconds. */
  ping(): Promise<number> {
    const id = this.nextPingId;
    this.nextPingId = this.nextPingId + 2 > 0x7fffffff ? this.nextPingId % 2 || 2 : this.nextPingId + 2;
    const started = process.hrtime.bigint();
    return new Promise((resolve, reject) => {
      const onClose = (): void => reject(new Error("SPDY session closed before PING reply"));
      this.once("close", onClose);
      this.pendingPings.set(id, () => {
        this.off("close", onClose);
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
      this.writeFrame({ type: "PING", id });
    });
  }

  /** Announces that no further streams will be accepted (GOAWAY). */
  goAway(status: number = GoAwayStatus.Ok): void {
    if (this.goneAway || this.closed) return;
    this.goneAway = true;
    this.writeFrame({ type: "GOAWAY", lastGoodStreamId: this.lastPeerStreamId, status });
  }

  /**
   * Graceful close: GOAWAY, then half-close the transport once everything queued is written. The peer
   * closing its side (or `destroy`) finishes the teardown; reading on meanwhile keeps output the peer
   * has not read yet from being discarded by a TCP reset.
   */
  close(): void {
    if (this.closed) return;
    this.goAway();
    if (!this.transport.writableEnded) this.transport.end();
  }

  destroy(error?: Error): void {
    if (!this.transport.destroyed) this.transport.destroy(error);
    this.teardown();
  }

  /** @internal Serializes and writes one frame; `done` runs once the transport accepts more. */
  writeFrame(frame: SpdyFrame, done?: (error?: Error | null) => void): void {
    if (this.transport.destroyed || this.transport.writableEnded) {
      done?.();
      return;
    }
    const bytes = this.serializer.serialize(frame);
    if (this.transport.write(bytes) || !done) {
      done?.();
    } else {
      this.transport.once("drain", () => done());
    }
  }

  /** @internal Writes stream data split into DATA frames. */
  writeData(streamId: number, data: Buffer, fin: boolean, done: (error?: Error | null) => void): void {
    if (data.length <= this.maxDataFrame) {
      this.writeFrame({ type: "DATA", streamId, flags: fin ? FLAG_FIN : 0, data }, done);
      return;
    }
    const head = data.subarray(0, this.maxDataFrame);
    this.writeFrame({ type: "DATA", streamId, flags: 0, data: head }, (error) => {
      if (error) done(error);
      else this.writeData(streamId, data.subarray(this.maxDataFrame), fin, done);
    });
  }

  /** @internal A stream's reader refused more data: stop reading the shared transport. */
  blockReader(stream: SpdyStream): void {
    this.blockedReaders.add(stream);
    this.transport.pause();
  }

  /** @internal A stream's reader wants more: resume the transport if nobody else is blocked. */
  unblockReader(stream: SpdyStream): void {
    if (!this.blockedReaders.delete(stream)) return;
    if (this.blockedReaders.size === 0 && !this.closed) this.transport.resume();
  }

  /** @internal */
  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    this.unblockReader(stream);
  }

  private onData(chunk: Buffer): void {
    let frames: SpdyFrame[];
    try {
      frames = this.parser.push(chunk);
    } catch (error) {
      this.goAway(GoAwayStatus.ProtocolError);
      this.destroy(error as Error);
      return;
    }
    for (const frame of frames) {
      this.emit("frame", frame);
      this.handle(frame);
    }
  }

  private handle(frame: SpdyFrame): void {
    switch (frame.type) {
      case "SYN_STREAM":
        this.onSynStream(frame.streamId, frame.headers, frame.flags);
        break;
      case "SYN_REPLY": {
        const stream = this.streams.get(frame.streamId);
        if (!stream) break;
        stream.onReply(frame.headers);
        if (frame.flags & FLAG_FIN) stream.onRemoteFin();
        break;
      }
      case "HEADERS": {
        const stream = this.streams.get(frame.streamId);
        if (!stream) break;
        stream.emit("headers", frame.headers);
        if (frame.flags & FLAG_FIN) stream.onRemoteFin();
        break;
      }
      case "DATA": {
        const stream = this.streams.get(frame.streamId);
        if (!stream) break; // spdystream drops data for unknown streams too
        if (frame.data.length > 0) stream.onRemoteData(frame.data);
        if (frame.flags & FLAG_FIN) stream.onRemoteFin();
        break;
      }
      case "RST_STREAM":
        this.streams.get(frame.streamId)?.onRemoteReset(frame.status);
        break;
      case "PING":
        if (frame.id % 2 !== this.nextPingId % 2) {
          this.writeFrame({ type: "PING", id: frame.id });
        } else {
          const resolve = this.pendingPings.get(frame.id);
          this.pendingPings.delete(frame.id);
          resolve?.();
        }
        break;
      case "GOAWAY":
        this.goneAway = true;
        this.emit("goaway", { lastGoodStreamId: frame.lastGoodStreamId, status: frame.status });
        break;
      case "SETTINGS":
      case "WINDOW_UPDATE":
      case "UNKNOWN":
        break; // see the file comment: no flow control; unknown control frames are ignored per spec
    }
  }

  private onSynStream(streamId: number, headers: SpdyHeaders, flags: number): void {
    const peerParity = this.role === "server" ? 1 : 0;
    if (streamId % 2 !== peerParity || streamId <= this.lastPeerStreamId || this.streams.has(streamId)) {
      this.writeFrame({ type: "RST_STREAM", streamId, status: RstStatus.ProtocolError });
      return;
    }
    this.lastPeerStreamId = streamId;
    if (this.goneAway) {
      this.writeFrame({ type: "RST_STREAM", streamId, status: RstStatus.RefusedStream });
      return;
    }
    const stream = new SpdyStream(this, streamId, headers);
    this.streams.set(streamId, stream);
    if (flags & FLAG_UNIDIRECTIONAL) stream.markLocalFinished();
    this.emit("stream", stream);
    if (!stream.isReset) {
      stream.reply();
      if (flags & FLAG_FIN) stream.onRemoteFin();
    }
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of [...this.streams.values()]) stream.onSessionClosed();
    this.streams.clear();
    this.blockedReaders.clear();
    this.parser.close();
    this.serializer.close();
    this.emit("close");
  }
}


/**
 * One SPDY stream. Readable side: the peer's DATA, ending at its FIN (or a reset, or the connection's
 * end: spdystream readers see EOF in all three cases). Writable side: DATA frames; `end()` sends FIN.
 */
export class SpdyStream extends Duplex {
  replyHeaders: SpdyHeaders | undefined;
  private replied = false;
  private localFinished = false;
  private remoteFinished = false;
  private resetState = false;

  constructor(
    readonly session: SpdySession,
    readonly id: number,
    readonly headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
  }

  get isReset(): boolean {
    return this.resetState;
  }

  /** Accepts a stream the peer opened (SYN_REPLY). The session does this itself after `stream` listeners. */
  reply(headers: SpdyHeaders = {}, fin = false): void {
    if (this.replied || this.resetState) return;
    this.replied = true;
    this.session.writeFrame({ type: "SYN_REPLY", streamId: this.id, flags: fin ? FLAG_FIN : 0, headers });
    if (fin) this.markLocalFinished();
  }

  /** Aborts both directions (RST_STREAM). */
  reset(status: number = RstStatus.Cancel): void {
    if (this.resetState) return;
    this.resetState = true;
    this.replied = true;
    this.session.writeFrame({ type: "RST_STREAM", streamId: this.id, status });
    this.finishBoth();
  }

  override _read(): void {
    this.session.unblockReader(this);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.localFinished || this.resetState || this.session.isClosed) {
      callback(); // the peer is gone: drop quietly, like writing to a reset spdystream stream
      return;
    }
    this.session.writeData(this.id, chunk, false, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.localFinished && !this.resetState && !this.session.isClosed) {
      this.localFinished = true;
      this.session.writeData(this.id, Buffer.alloc(0), true, callback);
    } else {
      callback();
    }
    this.maybeForget();
  }

  /** @internal */
  markLocalFinished(): void {
    this.localFinished = true;
    this.maybeForget();
  }

  /** @internal */
  onReply(headers: SpdyHeaders): void {
    this.replyHeaders = headers;
    this.emit("reply", headers);
  }

  /** @internal */
  onRemoteData(data: Buffer): void {
    if (this.remoteFinished) return;
    if (!this.push(data)) this.session.blockReader(this);
  }

  /** @internal */
  onRemoteFin(): void {
    if (this.remoteFinished) return;
    this.remoteFinished = true;
    this.push(null);
    this.maybeForget();
  }

  /** @internal */
  onRemoteReset(status: number): void {
    this.resetState = true;
    this.emit("reset", status);
    this.finishBoth();
  }

  /** @internal */
  onSessionClosed(): void {
    this.finishBoth();
  }

  private finishBoth(): void {
    if (!this.remoteFinished) {
      this.remoteFinished = true;
      this.push(null);
    }
    this.localFinished = true;
    this.session.forget(this);
  }

  private maybeForget(): void {
    if (this.localFinished && this.remoteFinished) this.session.forget(this);
  }
}
