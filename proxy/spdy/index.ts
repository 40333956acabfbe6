// SPDY/3.1 as Kubernetes uses it (exec, attach, cp, port-forward): frames, header compression, sessions.
export * from "./frames.js";
export { SPDY3_DICTIONARY, SPDY3_DICTIONARY_ID } from "./dictionary.js";
export { encodeHeaderBlock, decodeHeaderBlock } from "./header-block.js";
export { HeaderCompressor, HeaderDecompressor } from "./header-compression.js";
export { FrameParser, type FrameParserOptions } from "./frame-parser.js";
export { FrameSerializer, type FrameSerializerOptions } from "./frame-serializer.js";
export { SpdySession, SpdyStream, type SpdySessionOptions, type OpenStreamOptions, type SpdySessionEvents } from "./session.js";
