// What a parsed exec / attach stream tells its observer, whatever the transport. Implemented by
// RecordingSession (proxy/recordings/recording-session.ts).
export interface SessionEvents {
  stdin(data: Buffer): void;
  stdout(data: Buffer): void;
  stderr(data: Buffer): void;
  /** Raw bytes of the error channel (a JSON Status on v4/v5, text before). */
  errorChannel(data: Buffer): void;
  resize(width: number, height: number): void;
  stdinClosed(): void;
}
