// Per-scenario CPU profiles of the running engine. `--profile` starts the engine with
// `--inspect=127.0.0.1:0`, and this drives V8's sampling profiler (the one behind `node --cpu-prof`)
// over the inspector protocol: started before a scenario, stopped after it, so each profile shows
// one workload and not the engine's start-up (module loading alone is a large share of a whole-life
// --cpu-prof profile of a short run).
import WebSocket from "ws";

export class EngineProfiler {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on("message", (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { id?: number; result?: unknown; error?: { message: string } };
      if (message.id === undefined) return;
      const entry = this.pending.get(message.id);
      if (!entry) return;
      this.pending.delete(message.id);
      if (message.error) entry.reject(new Error(message.error.message));
      else entry.resolve(message.result);
    });
    socket.on("close", () => {
      for (const entry of this.pending.values()) entry.reject(new Error("inspector connection closed"));
      this.pending.clear();
    });
  }

  /** `output` is the engine's stderr so far, which holds "Debugger listening on ws://…". */
  static async connect(output: string): Promise<EngineProfiler> {
    const url = /Debugger listening on (ws:\/\/\S+)/.exec(output)?.[1];
    if (!url) throw new Error(`the engine did not print its inspector address:\n${output}`);
    const socket = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    const profiler = new EngineProfiler(socket);
    await profiler.call("Profiler.enable");
    return profiler;
  }

  private call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params }));
    });
  }

  /** Starts sampling every `intervalUs` microseconds (V8's default is 1000). */
  async start(intervalUs = 250): Promise<void> {
    await this.call("Profiler.setSamplingInterval", { interval: intervalUs });
    await this.call("Profiler.start");
  }

  /** Stops sampling; returns the profile in .cpuprofile form. */
  async stop(): Promise<unknown> {
    const result = (await this.call("Profiler.stop")) as { profile: unknown };
    return result.profile;
  }

  close(): void {
    this.socket.close();
  }
}
