// Reads a V8 .cpuprofile (node --cpu-prof) and says where the engine's CPU went: the hottest
// functions by self time, the engine's own functions by inclusive time (what a fix in that function
// could save at most), and a split by area (engine code, Node internals, dependencies, GC).
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples?: number[];
  startTime: number;
  endTime: number;
}

export interface FrameShare {
  frame: string;
  percent: number;
}

export interface ProfileSummary {
  label: string;
  seconds: number;
  /** Share of samples not idle. */
  busyPercent: number;
  /** Percentages below are of busy samples. */
  byArea: FrameShare[];
  topSelf: FrameShare[];
  engineInclusive: FrameShare[];
}

function shortUrl(url: string): string {
  const dist = url.indexOf("/dist/");
  if (dist >= 0) return url.slice(dist + 6);
  const modules = url.lastIndexOf("/node_modules/");
  if (modules >= 0) return url.slice(modules + 14);
  return url.replace(/^file:\/\//, "");
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName || "(anonymous)";
  return url ? `${name} ${shortUrl(url)}:${lineNumber + 1}` : name;
}

function area(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)") return "(program: native, not attributed)";
  if (functionName === "(idle)") return "(idle)";
  if (url.includes("/dist/proxy/")) return "engine code (dist/proxy)";
  if (url.includes("/node_modules/")) return "dependencies (node_modules)";
  if (url.startsWith("node:")) return "Node.js internals (node:…)";
  if (!url) return "native / V8 builtins";
  return "other";
}

export function readCpuProfile(file: string): unknown {
  return JSON.parse(readFileSync(file, "utf8"));
}

/** `label` names the profile in the summary (its file, or the scenario it covers). */
export function summarizeCpuProfile(data: unknown, label: string, top = 20): ProfileSummary {
  const profile = data as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  if (profile.samples) for (const id of profile.samples) self.set(id, (self.get(id) ?? 0) + 1);
  else for (const n of profile.nodes) self.set(n.id, n.hitCount ?? 0);
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  let total = 0;
  let idle = 0;
  for (const [id, hits] of self) {
    total += hits;
    if (byId.get(id)?.callFrame.functionName === "(idle)") idle += hits;
  }
  const busy = Math.max(1, total - idle);
  const pct = (hits: number): number => (hits / busy) * 100;

  const areas = new Map<string, number>();
  const selfByFrame = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, hits] of self) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === "(idle)" || hits === 0) continue;
    areas.set(area(node), (areas.get(area(node)) ?? 0) + hits);
    selfByFrame.set(frameName(node), (selfByFrame.get(frameName(node)) ?? 0) + hits);
    // Inclusive time of engine functions: every engine frame on this sample's stack, once each.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at) as ProfileNode;
      if (!frame.callFrame.url.includes("/dist/proxy/")) continue;
      const name = frameName(frame);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + hits);
    }
  }
  const ranked = (map: Map<string, number>, n: number): FrameShare[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([frame, hits]) => ({ frame, percent: pct(hits) }));
  return {
    label,
    seconds: (profile.endTime - profile.startTime) / 1e6,
    busyPercent: (busy / Math.max(1, total)) * 100,
    byArea: ranked(areas, 10),
    topSelf: ranked(selfByFrame, top),
    engineInclusive: ranked(inclusive, top),
  };
}

export function formatProfileSummary(s: ProfileSummary): string {
  const list = (items: FrameShare[]): string[] => items.map((i) => `    ${i.percent.toFixed(1).padStart(5)} %  ${i.frame}`);
  return [
    `\nEngine CPU profile: ${s.label}`,
    `  ${s.seconds.toFixed(1)} s profiled, ${s.busyPercent.toFixed(1)} % of samples busy; shares below are of busy samples`,
    "  by area:",
    ...list(s.byArea),
    "  hottest functions (self time):",
    ...list(s.topSelf),
    "  engine functions (inclusive time):",
    ...list(s.engineInclusive),
  ].join("\n");
}
