// SPDY/3.1 frame model (draft-mbelshe-httpbis-spdy-00 and the SPDY/3.1 delta), the dialect Kubernetes
// speaks for exec/attach/port-forward through moby/spdystream. Frames here hold *decoded* header
// blocks; turning them into bytes and back needs the connection's shared zlib state, which lives in
// `FrameParser` / `FrameSerializer`.

export const SPDY_VERSION = 3;

/** Control frame type codes. Type 5 (NOOP) was removed in SPDY/3; 10 (CREDENTIAL) is never sent by Kubernetes. */
export const ControlType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

/** FLAG_FIN on DATA, SYN_STREAM, SYN_REPLY and HEADERS: the sender half-closes the stream. */
export const FLAG_FIN = 0x01;
/** FLAG_UNIDIRECTIONAL on SYN_STREAM: the receiver must not send on the stream. */
export const FLAG_UNIDIRECTIONAL = 0x02;
/** FLAG_SETTINGS_CLEAR_SETTINGS on SETTINGS. */
export const FLAG_SETTINGS_CLEAR = 0x01;

/** Length field is 24 bits: the largest payload one frame can carry. */
export const MAX_FRAME_PAYLOAD = 0xffffff;

export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
  FrameTooLarge: 11,
} as const;

export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

/**
 * Header names are lowercase on the wire; a value holding several values joins them with NUL, so each
 * name maps to its list of values. Insertion order is kept: it is the order written on the wire.
 */
export type SpdyHeaders = Record<string, string[]>;

export interface DataFrame {
  type: "DATA";
  streamId: number;
  flags: number;
  data: Buffer;
}

export interface SynStreamFrame {
  type: "SYN_STREAM";
  streamId: number;
  associatedToStreamId: number;
  /** 3-bit priority, 0 highest. */
  priority: number;
  slot: number;
  flags: number;
  headers: SpdyHeaders;
}

export interface SynReplyFrame {
  type: "SYN_REPLY";
  streamId: number;
  flags: number;
  headers: SpdyHeaders;
}

export interface RstStreamFrame {
  type: "RST_STREAM";
  streamId: number;
  status: number;
}

export interface SettingsEntry {
  /** FLAG_SETTINGS_PERSIST_VALUE (1) / FLAG_SETTINGS_PERSISTED (2). */
  flags: number;
  id: number;
  value: number;
}

export interface SettingsFrame {
  type: "SETTINGS";
  flags: number;
  entries: SettingsEntry[];
}

export interface PingFrame {
  type: "PING";
  id: number;
}

export interface GoAwayFrame {
  type: "GOAWAY";
  lastGoodStreamId: number;
  status: number;
}

export interface HeadersFrame {
  type: "HEADERS";
  streamId: number;
  flags: number;
  headers: SpdyHeaders;
}

export interface WindowUpdateFrame {
  type: "WINDOW_UPDATE";
  streamId: number;
  deltaWindowSize: number;
}

/**
 * A control frame of a type this library does not model (e.g. CREDENTIAL). The spec says such frames
 * must be ignored, and a proxy must pass them through untouched, so the payload is kept as is.
 */
export interface UnknownControlFrame {
  type: "UNKNOWN";
  version: number;
  frameType: number;
  flags: number;
  payload: Buffer;
}

export type SpdyFrame =
  | DataFrame
  | SynStreamFrame
  | SynReplyFrame
  | RstStreamFrame
  | SettingsFrame
  | PingFrame
  | GoAwayFrame
  | HeadersFrame
  | WindowUpdateFrame
  | UnknownControlFrame;

/** A malformed frame: the connection cannot continue (the spec's session error, answered with GOAWAY). */
export class SpdyProtocolError extends Error {
  constructor(
    message: string,
    readonly streamId = 0,
  ) {
    super(message);
    this.name = "SpdyProtocolError";
  }
}

/** Builds a header map from plain pairs, lower-casing names as the wire requires. */
export function spdyHeaders(pairs: Record<string, string | string[]>): SpdyHeaders {
  const out: SpdyHeaders = {};
  for (const [name, value] of Object.entries(pairs)) {
    out[name.toLowerCase()] = Array.isArray(value) ? [...value] : [value];
  }
  return out;
}

/** First value of a header, looked up case-insensitively (Go clients send `streamType`, the wire says `streamtype`). */
export function headerValue(headers: SpdyHeaders, name: string): string | undefined {
  return headers[name.toLowerCase()]?.[0];
}
