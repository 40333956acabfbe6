// Child-process entry for the fast upstream: its own process (and so its own core, when the
// scheduler allows) so that serving never competes with the orchestrator's event loop.
// Protocol: the parent sends FastUpstreamOptions once; the child answers { port }.
import { startFastUpstream, type FastUpstreamOptions } from "./fast-upstream.js";

process.once("message", (options: FastUpstreamOptions) => {
  startFastUpstream(options).then(
    (upstream) => {
      process.send?.({ port: upstream.port });
      // The parent going away (normally or not) ends the upstream too.
      process.once("disconnect", () => {
        void upstream.close().finally(() => process.exit(0));
      });
    },
    (error: unknown) => {
      process.send?.({ error: (error as Error).message });
      process.exit(1);
    },
  );
});
