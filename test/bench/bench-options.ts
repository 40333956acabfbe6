// Command-line options of `npm run bench -- [options]`.
import { resolve } from "node:path";

export interface BenchOptions {
  /** Scenario ids to run (all when empty). */
  only: string[];
  /** Multiplies every round count and slice duration: 1 is the full suite, --quick is 0.4. */
  scale: number;
  /** Where latest.json / latest.md and the dated copy go. */
  outDir: string;
  /** Profile the engine per scenario (V8's sampling profiler, as `node --cpu-prof`) and summarize. */
  profile: boolean;
  kubectl: string;
  /** Targets to measure (all available when empty): e.g. only chaperone, to profile it under load. */
  targets: string[];
  /** The chaperone CLI to measure: this checkout's build, or another one's (A/B comparisons). */
  engine: string;
}

export const USAGE = `usage: npm run bench -- [--only ID[,ID…]] [--quick | --scale F] [--targets T[,T…]] [--profile]
                       [--out DIR] [--kubectl PATH] [--engine PATH]

  --only      run only these scenarios (ids: small-get-c1, small-get-c32, list-configmaps,
              list-secrets, watch-throughput, watch-delay, exec-websocket, exec-spdy,
              list-secrets-masking, watch-secrets-masking, exec-recording, write-burst,
              idle-watches, policy-eval, startup)
  --quick     fewer and shorter rounds (about 40 % of the full run), for a fast look
  --scale F   multiply rounds and durations by F (--quick is 0.4); e.g. 3 for a long profile
  --targets   measure only these of direct, chaperone, kubectl-proxy (ratios need direct and
              chaperone); --targets chaperone keeps the engine busy for profiling
  --profile   profile the engine's CPU per scenario (V8's sampler, the one behind node --cpu-prof,
              driven over --inspect); prints the hottest functions and keeps one .cpuprofile per
              scenario in OUT/profiles/ (open them in Chrome DevTools)
  --out DIR   output folder (default: bench-results)
  --kubectl   kubectl binary for the kubectl-proxy comparison (default: /usr/bin/kubectl, else PATH)
  --engine    the chaperone CLI to measure (default: dist/proxy/cli/main.js of this checkout); point
              it at another checkout's build to compare two versions on the same machine`;

export function parseBenchOptions(argv: string[], repoRoot: string): BenchOptions {
  const options: BenchOptions = {
    only: [],
    scale: 1,
    outDir: resolve(repoRoot, "bench-results"),
    profile: false,
    kubectl: "",
    engine: resolve(repoRoot, "dist", "proxy", "cli", "main.js"),
    targets: [],
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [name, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${name} needs a value\n${USAGE}`);
      return v;
    };
    switch (name) {
      case "--only":
        options.only.push(...value().split(",").map((s) => s.trim()).filter(Boolean));
        break;
      case "--quick":
        options.scale = 0.4;
        break;
      case "--scale": {
        const scale = Number(value());
        if (!(scale > 0)) throw new Error(`--scale needs a positive number\n${USAGE}`);
        options.scale = scale;
        break;
      }
      case "--targets":
        options.targets.push(...value().split(",").map((s) => s.trim()).filter(Boolean));
        break;
      case "--profile":
        options.profile = true;
        break;
      case "--out":
        options.outDir = resolve(value());
        break;
      case "--kubectl":
        options.kubectl = value();
        break;
      case "--engine":
        options.engine = resolve(value());
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return options;
}
