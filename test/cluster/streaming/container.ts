// The simulated inside of a pod: one in-memory filesystem per pod (seeded with a few files), each
// container's environment as the kubelet would build it, and each container's main process (PID 1),
// an interactive shell whose input comes from `kubectl attach` clients and whose output goes to them.
import type { TerminalSize } from "./command-context.js";
import type { ContainerInfo } from "./command-context.js";
import { MemoryFilesystem } from "./filesystem.js";
import { PROGRAMS } from "./commands.js";
import { ChunkedInput, CallbackOutput, type OutputSink } from "./process-io.js";
import { Shell } from "./shell.js";
import { Terminal } from "./terminal.js";

/** The parts of a pod object this simulation reads (a full v1.Pod satisfies it). */
export interface PodLike {
  metadata?: { name?: string; namespace?: string; uid?: string };
  spec?: {
    hostname?: string;
    containers?: ContainerSpecLike[];
  };
}

export interface ContainerSpecLike {
  name?: string;
  env?: { name?: string; value?: string }[];
  tty?: boolean;
  stdin?: boolean;
  workingDir?: string;
}

const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

function seedFilesystem(fs: MemoryFilesystem, namespace: string, podName: string, hostname: string): void {
  for (const dir of ["/bin", "/etc", "/app", "/tmp", "/root", "/var/log", "/usr/bin", "/proc"]) fs.mkdir(dir, { recursive: true });
  fs.writeFile("/etc/hostname", Buffer.from(`${hostname}\n`));
  fs.writeFile("/etc/os-release", Buffer.from('NAME="Chaperone test container"\nID=chaperone-sim\nVERSION_ID=1\n'));
  fs.writeFile("/app/config.txt", Buffer.from(`# simulated application config\ngreeting=hello from ${namespace}/${podName}\nlog_level=info\n`));
  fs.writeFile("/app/README", Buffer.from("This directory belongs to the simulated application.\n"));
  for (const program of [...Object.keys(PROGRAMS), "sh", "bash"]) {
    if (program !== "[") fs.writeFile(`/bin/${program}`, Buffer.from("#!simulated\n"), { mode: 0o755 });
  }
}

/** Input of the main process: keystrokes or lines fed by whichever clients are attached. */
class FedInput extends ChunkedInput {
  private readonly queue: Buffer[] = [];
  private waiter: ((chunk: Buffer) => void) | null = null;

  feed(chunk: Buffer): void {
    if (this.waiter) {
      const waiter = this.waiter;
      this.waiter = null;
      waiter(chunk);
    } else this.queue.push(chunk);
  }

  protected nextChunk(): Promise<Buffer | null> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }
}

export interface AttachedClient {
  stdout: OutputSink | null;
  stderr: OutputSink | null;
  /** Called when the main process exits (the container stops): the attach session ends. */
  onExit(): void;
}

/**
 * PID 1 of a container: an interactive shell that runs for the pod's lifetime (restarted if it exits,
 * like a container under restartPolicy Always). Output with nobody attached is dropped.
 */
export class MainProcess {
  private readonly clients = new Set<AttachedClient>();
  private input = new FedInput();
  private terminal: Terminal | null = null;
  private running = false;

  constructor(
    private readonly container: SimulatedContainer,
    readonly tty: boolean,
  ) {}

  attach(client: AttachedClient): () => void {
    this.ensureRunning();
    this.clients.add(client);
    return () => this.clients.delete(client);
  }

  /** Keystrokes (tty) or input bytes from an attached client. */
  async sendInput(chunk: Buffer): Promise<void> {
    this.ensureRunning();
    if (this.terminal) await this.terminal.receive(chunk);
    else this.input.feed(chunk);
  }

  resize(size: TerminalSize): void {
    this.terminal?.resize(size);
  }

  /** Writes to PID 1's stdout as another process would (`echo hi > /proc/1/fd/1`): through its terminal, if any. */
  async writeAsProcess(data: Buffer): Promise<void> {
    this.ensureRunning();
    if (this.terminal) await this.terminal.output.write(data);
    else await this.broadcast(data, "stdout");
  }

  /** Delivers bytes PID 1 wrote to every attached client. */
  private async broadcast(data: Buffer, stream: "stdout" | "stderr"): Promise<void> {
    const writes: Promise<void>[] = [];
    for (const client of this.clients) {
      const sink = this.tty || stream === "stdout" ? client.stdout : (client.stderr ?? client.stdout);
      if (sink) writes.push(sink.write(data));
    }
    await Promise.all(writes);
  }

  private ensureRunning(): void {
    if (this.running) return;
    this.running = true;
    this.input = new FedInput();
    const device = new CallbackOutput((data) => this.broadcast(data, "stdout"));
    this.terminal = this.tty ? new Terminal(device) : null;
    const stdout = this.terminal ? this.terminal.output : device;
    const stderr = this.terminal ? this.terminal.output : new CallbackOutput((data) => this.broadcast(data, "stderr"));
    const shell = new Shell({
      container: this.container,
      env: this.container.environment(this.tty),
      cwd: this.container.workingDir,
      terminal: this.terminal,
      signal: new AbortController().signal,
      name: "sh",
    });
    void shell
      .interactive({ stdin: this.terminal ? this.terminal.input : this.input, stdout, stderr })
      .catch(() => 1)
      .then(() => {
        this.running = false;
        for (const client of [...this.clients]) client.onExit();
        this.clients.clear();
      });
  }
}

export class SimulatedContainer implements ContainerInfo {
  readonly main: MainProcess;

  constructor(
    readonly pod: SimulatedPod,
    readonly spec: ContainerSpecLike,
  ) {
    this.main = new MainProcess(this, spec.tty === true);
  }

  get namespace(): string {
    return this.pod.namespace;
  }

  get podName(): string {
    return this.pod.name;
  }

  get containerName(): string {
    return this.spec.name ?? "";
  }

  get hostname(): string {
    return this.pod.hostname;
  }

  get fs(): MemoryFilesystem {
    return this.pod.fs;
  }

  get workingDir(): string {
    return this.spec.workingDir && this.fs.isDirectory(this.spec.workingDir) ? this.spec.workingDir : "/";
  }

  writeToMainProcess(data: Buffer): Promise<void> {
    return this.main.writeAsProcess(data);
  }

  /** The environment the kubelet gives a container process, in its order. */
  environment(tty: boolean): Map<string, string> {
    const env = new Map<string, string>();
    env.set("PATH", DEFAULT_PATH);
    env.set("HOSTNAME", this.hostname);
    if (tty) env.set("TERM", "xterm");
    for (const variable of this.spec.env ?? []) {
      // valueFrom (secrets, config maps, field refs) would need the API server; literal values only.
      if (variable.name && variable.value !== undefined) env.set(variable.name, variable.value);
    }
    env.set("KUBERNETES_SERVICE_HOST", "10.96.0.1");
    env.set("KUBERNETES_SERVICE_PORT", "443");
    env.set("KUBERNETES_SERVICE_PORT_HTTPS", "443");
    env.set("KUBERNETES_PORT", "tcp://10.96.0.1:443");
    env.set("HOME", "/root");
    return env;
  }
}

export class SimulatedPod {
  readonly fs = new MemoryFilesystem();
  private readonly containers = new Map<string, SimulatedContainer>();

  constructor(
    readonly namespace: string,
    readonly name: string,
    readonly uid: string,
    readonly hostname: string,
  ) {
    seedFilesystem(this.fs, namespace, name, hostname);
  }

  container(spec: ContainerSpecLike): SimulatedContainer {
    const key = spec.name ?? "";
    let container = this.containers.get(key);
    if (!container) {
      container = new SimulatedContainer(this, spec);
      this.containers.set(key, container);
    }
    return container;
  }
}

const pods = new Map<string, SimulatedPod>();

/**
 * The simulation of a pod, keyed namespace/name. A pod recreated under the same name (new uid) starts
 * from a fresh filesystem, as a real one would.
 */
export function simulatedPod(namespace: string, pod: PodLike): SimulatedPod {
  const name = pod.metadata?.name ?? "";
  const uid = pod.metadata?.uid ?? "";
  const key = `${namespace}/${name}`;
  const existing = pods.get(key);
  if (existing && existing.uid === uid) return existing;
  const created = new SimulatedPod(namespace, name, uid, pod.spec?.hostname ?? name);
  pods.set(key, created);
  return created;
}

/** Forgets every simulated pod (tests that want a pristine container). */
export function resetSimulatedPods(): void {
  pods.clear();
}
