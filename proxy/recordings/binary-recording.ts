// Binary recordings, for sessions whose bytes are not a terminal (`kubectl cp`: tar over exec).
// Layout: one JSON header line (`{"format":"chaperone-binary-recording","version":1,…}`), then
// records of
//   channel  u8       0 stdin, 1 stdout, 2 stderr, 3 error, 4 resize, 255 stdin closed
//   time     f64 BE   seconds since the session started
//   length   u32 BE
//   payload  `length` bytes as they crossed the gateway, secret values overwritten in place (same length)
export const BINARY_FORMAT = "chaperone-binary-recording";
export const RECORD_HEADER_BYTES = 13;

export const Channel = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, stdinClosed: 255 } as const;
export type ChannelName = "stdin" | "stdout" | "stderr" | "error" | "resize" | "stdinClosed";

/** Writes a record's header (RECORD_HEADER_BYTES) into `target` at `at`; the payload follows it. */
export function writeRecordHeader(target: Buffer, at: number, channel: number, time: number, length: number): void {
  target.writeUInt8(channel, at);
  target.writeDoubleBE(time, at + 1);
  target.writeUInt32BE(length, at + 9);
}

export function binaryRecord(channel: number, time: number, payload: Buffer): Buffer {
  const head = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  writeRecordHeader(head, 0, channel, time, payload.length);
  return Buffer.concat([head, payload]);
}

export interface BinaryRecord {
  channel: number;
  time: number;
  payload: Buffer;
}

export interface ParsedBinaryRecording {
  header: Record<string, unknown>;
  records: BinaryRecord[];
  /** Bytes at the end that do not form a whole record (a recording cut off). */
  trailingBytes: number;
}

export function parseBinaryRecording(data: Buffer): ParsedBinaryRecording {
  const newline = data.indexOf(0x0a);
  if (newline < 0) throw new Error("not a binary recording (no header line)");
  const header = JSON.parse(data.toString("utf8", 0, newline)) as Record<string, unknown>;
  if (header.format !== BINARY_FORMAT) throw new Error(`not a ${BINARY_FORMAT}`);
  const records: BinaryRecord[] = [];
  let offset = newline + 1;
  while (offset + RECORD_HEADER_BYTES <= data.length) {
    const length = data.readUInt32BE(offset + 9);
    if (offset + RECORD_HEADER_BYTES + length > data.length) break;
    records.push({
      channel: data.readUInt8(offset),
      time: data.readDoubleBE(offset + 1),
      payload: data.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length),
    });
    offset += RECORD_HEADER_BYTES + length;
  }
  return { header, records, trailingBytes: data.length - offset };
}
