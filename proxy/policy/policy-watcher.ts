// Noticing edits of the policy file. The directory is watched rather than the file: editors and
// writeFileAtomic replace the file by renaming a new one over it, after which a watch on the old
// file would see nothing more. Events are debounced (one save is several events) and the caller
// re-reads the file, so a missed or duplicate event costs nothing. Where fs.watch is unavailable
// (or fails later) polling takes over.
import { watch, watchFile, unwatchFile, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

export class PolicyWatcher {
  private watcher: FSWatcher | null = null;
  private polling = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  private readonly onPoll = () => this.schedule();

  constructor(
    private readonly path: string,
    private readonly onChange: () => void,
    private readonly debounceMs = 100,
    private readonly pollIntervalMs = 1000,
  ) {
    const name = basename(path);
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_event, filename) => {
        if (filename === null || filename === name) this.schedule();
      });
      this.watcher.on("error", () => this.fallBackToPolling());
    } catch {
      this.fallBackToPolling();
    }
  }

  private fallBackToPolling(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.polling || this.closed) return;
    this.polling = true;
    watchFile(this.path, { persistent: false, interval: this.pollIntervalMs }, this.onPoll);
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.closed) this.onChange();
    }, this.debounceMs);
    this.timer.unref();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
    if (this.polling) unwatchFile(this.path, this.onPoll);
  }
}
