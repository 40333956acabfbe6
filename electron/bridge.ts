// The one surface the preload exposes to the renderer, shared by both sides so they cannot drift.
// It carries only the control token: everything else goes over the control API like in a browser.

/** The renderer reads the bridge as `window.chaperone`. */
export const BRIDGE_KEY = "chaperone";

/** IPC channel the preload invokes; the main process answers only the control origin's frames. */
export const CONTROL_TOKEN_CHANNEL = "chaperone:control-token";

export interface ChaperoneBridge {
  /**
   * The engine's per-launch control token. Asked for over IPC rather than passed in
   * `additionalArguments`, which would put it on the renderer's command line for `ps` to show.
   */
  controlToken(): Promise<string>;
}
