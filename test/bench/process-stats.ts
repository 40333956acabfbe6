// CPU time and memory of another process, from Linux's /proc: utime+stime (all threads) from
// /proc/PID/stat, current and peak resident set (VmRSS, VmHWM) from /proc/PID/status. The peak is
// reset per scenario by writing 5 to /proc/PID/clear_refs (Linux ≥ 4.0), so each scenario reports
// its own peak rather than the process's lifetime high.
import { readFileSync, writeFileSync } from "node:fs";

/** USER_HZ: the unit of utime/stime. 100 on every mainstream Linux architecture. */
export const CLOCK_TICKS_PER_SECOND = 100;

export function procAvailable(): boolean {
  try {
    readFileSync("/proc/self/stat", "latin1");
    return true;
  } catch {
    return false;
  }
}

/** CPU time (user + system, every thread) in milliseconds, or NaN when unreadable. */
export function cpuTimeMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ")".
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

export interface MemoryFigures {
  rssMiB: number;
  peakRssMiB: number;
}

export function memory(pid: number): MemoryFigures {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "latin1");
    const kib = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
      return match ? Number(match[1]) : NaN;
    };
    return { rssMiB: kib("VmRSS") / 1024, peakRssMiB: kib("VmHWM") / 1024 };
  } catch {
    return { rssMiB: NaN, peakRssMiB: NaN };
  }
}

/** Resets VmHWM to the current RSS. Returns false where the kernel or permissions do not allow it. */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** CPU time of several processes at once, keyed like the input. */
export function cpuSnapshot<K extends string>(pids: Record<K, number | undefined>): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(pids) as K[]) {
    const pid = pids[key];
    out[key] = pid === undefined ? NaN : cpuTimeMs(pid);
  }
  return out;
}
