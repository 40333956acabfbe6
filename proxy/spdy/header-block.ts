// The uncompressed SPDY/3 name/value header block: a 32-bit pair count, then for each pair a 32-bit
// length-prefixed name and a 32-bit length-prefixed value (several values joined by NUL). Compression
// is a separate layer (header-compression.ts) because its state spans frames.
import { SpdyProtocolError, type SpdyHeaders } from "./frames.js";

export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const entries = Object.entries(headers);
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const [name, values] of entries) {
    const nameBytes = Buffer.from(name.toLowerCase(), "utf8");
    const valueBytes = Buffer.from(values.join("\0"), "utf8");
    const nameLength = Buffer.alloc(4);
    nameLength.writeUInt32BE(nameBytes.length);
    const valueLength = Buffer.alloc(4);
    valueLength.writeUInt32BE(valueBytes.length);
    parts.push(nameLength, nameBytes, valueLength, valueBytes);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer, streamId = 0): SpdyHeaders {
  let offset = 0;
  const need = (n: number): void => {
    if (offset + n > block.length) {
      throw new SpdyProtocolError(`header block truncated at byte ${offset} (needs ${n} more)`, streamId);
    }
  };
  need(4);
  const count = block.readUInt32BE(offset);
  offset += 4;
  const headers: SpdyHeaders = {};
  for (let i = 0; i < count; i++) {
    need(4);
    const nameLength = block.readUInt32BE(offset);
    offset += 4;
    need(nameLength);
    // spdystream lower-cases names it receives; doing the same keeps lookups uniform.
    const name = block.toString("utf8", offset, offset + nameLength).toLowerCase();
    offset += nameLength;
    need(4);
    const valueLength = block.readUInt32BE(offset);
    offset += 4;
    need(valueLength);
    const values = block.toString("utf8", offset, offset + valueLength).split("\0");
    offset += valueLength;
    headers[name] = [...(headers[name] ?? []), ...values];
  }
  if (offset !== block.length) {
    throw new SpdyProtocolError(`header block has ${block.length - offset} trailing bytes`, streamId);
  }
  return headers;
}
