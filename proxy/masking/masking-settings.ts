// What a profile masks. Everything is on by default; a profile in policy.yaml may turn parts off
// (`masking: {logs: false}`), turn it all off (`masking: false`), add detectors and disable
// built-in ones. A profile extending another inherits its settings and changes what it names.
import { BUILTIN_DETECTORS, DetectorSet, type Detector, type DetectorSpec } from "./detectors.js";

/** The switches, each covering one family of places secret values hide (see the README table). */
export const MASKING_FLAGS = ["secrets", "tokens", "env", "configMaps", "annotations", "logs", "exec", "proxy"] as const;
export type MaskingFlag = (typeof MASKING_FLAGS)[number];

export const MASKING_FLAG_DESCRIPTIONS: Readonly<Record<MaskingFlag, string>> = {
  secrets: "Secret data and stringData (incl. service-account-token, bootstrap-token and Helm release Secrets)",
  tokens: "TokenRequest status.token (kubectl create token) and TokenReview spec.token",
  env: "literal env[].value (sensitive name, detector match or known secret value) and command/args in pods and pod templates",
  configMaps: "detector matches in ConfigMap data and binaryData; known secret values and detector matches in every string of a custom resource",
  annotations: "detector matches in annotations of any masked object",
  logs: "pod logs (logs, logs -f): known secret values and detector matches",
  exec: "exec and attach output (stdout, stderr) and what a pod sends through a port-forward: known secret values and detector matches",
  proxy: "pod, service and node proxy responses: known secret values and detector matches; a body that cannot be read as text is refused",
};

/** The `masking:` block of a profile, as written (validated by the policy schema). */
export type MaskingSpec =
  | boolean
  | ({ [F in MaskingFlag]?: boolean } & {
      detectors?: DetectorSpec[];
      disableDetectors?: string[];
    });

export interface MaskingSettings {
  readonly flags: Readonly<Record<MaskingFlag, boolean>>;
  /** Detectors in force (built-ins not disabled, plus the profile's own and inherited ones). */
  readonly detectors: DetectorSet;
  /** False when every flag is off: nothing is parsed at all. */
  readonly enabled: boolean;
}

function settings(flags: Record<MaskingFlag, boolean>, detectors: readonly Detector[]): MaskingSettings {
  return Object.freeze({ flags: Object.freeze(flags), detectors: new DetectorSet(detectors), enabled: MASKING_FLAGS.some((f) => flags[f]) });
}

function allFlags(on: boolean): Record<MaskingFlag, boolean> {
  return Object.fromEntries(MASKING_FLAGS.map((f) => [f, on])) as Record<MaskingFlag, boolean>;
}

/** Everything masked, every built-in detector: built-in profiles and any profile that says nothing. */
export const DEFAULT_MASKING: MaskingSettings = settings(allFlags(true), BUILTIN_DETECTORS);

/** The same detectors with every flag on: what write-back masks the current object with (a superset of what any agent saw). */
export function everythingWith(base: MaskingSettings): MaskingSettings {
  return base.enabled && MASKING_FLAGS.every((f) => base.flags[f]) ? base : settings(allFlags(true), base.detectors.detectors);
}

/**
 * Applies a profile's `masking:` block on top of what it inherits. Detector specs must already be
 * compiled (`detectors` holds them, in spec order); unknown names in `disableDetectors` are the
 * caller's to report (it knows the field's location).
 */
export function resolveMasking(
  spec: MaskingSpec | undefined,
  base: MaskingSettings,
  compiled: readonly Detector[],
): { settings: MaskingSettings; unknownDisabled: string[] } {
  if (spec === undefined) {
    if (compiled.length === 0) return { settings: base, unknownDisabled: [] };
    return { settings: settings({ ...base.flags }, [...base.detectors.detectors, ...compiled]), unknownDisabled: [] };
  }
  if (typeof spec === "boolean") return { settings: settings(allFlags(spec), spec ? base.detectors.detectors : []), unknownDisabled: [] };
  const flags = { ...base.flags };
  for (const flag of MASKING_FLAGS) if (spec[flag] !== undefined) flags[flag] = spec[flag] as boolean;
  const disabled = new Set(spec.disableDetectors ?? []);
  const known = new Set([...base.detectors.detectors.map((d) => d.name), ...compiled.map((d) => d.name)]);
  const unknownDisabled = [...disabled].filter((name) => !known.has(name));
  const detectors = [...base.detectors.detectors.filter((d) => !compiled.some((c) => c.name === d.name)), ...compiled].filter(
    (d) => !disabled.has(d.name),
  );
  return { settings: settings(flags, detectors), unknownDisabled };
}
