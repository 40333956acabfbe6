// `kubectl attach`: joins the container's main process. The client's stdin feeds PID 1 (keystrokes
// through its terminal when the container has a tty), PID 1's output reaches every attached client,
// and resizes resize its terminal. The session ends when the client closes its stdin (detach), goes
// away, or the main process exits; the kubelet then reports Success on the error channel.
import type { SimulatedContainer } from "./container.js";
import { StreamOutput } from "./process-io.js";
import type { RemoteCommandStreams } from "./remote-command.js";

export async function runAttachSession(container: SimulatedContainer, streams: RemoteCommandStreams): Promise<void> {
  const main = container.main;
  let detach = (): void => {};
  const ended = new Promise<void>((resolve) => {
    detach = main.attach({
      stdout: streams.stdout ? new StreamOutput(streams.stdout) : null,
      stderr: streams.stderr ? new StreamOutput(streams.stderr) : null,
      onExit: () => resolve(),
    });
    streams.clientGone.addEventListener("abort", () => resolve(), { once: true });
    streams.resizes?.on("resize", (size) => main.resize(size));
    const stdin = streams.stdin;
    if (stdin) {
      void (async () => {
        try {
          for await (const chunk of stdin) await main.sendInput(chunk as Buffer);
        } catch {
          // a reset stdin is a detach like any other
        }
        resolve();
      })();
    }
  });
  await ended;
  detach();
  streams.finish({ exitCode: 0 }, ["attach"]);
}
