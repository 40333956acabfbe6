// Where the page gets the engine's per-launch control token, read once at startup:
// - in the Electron shell, from the preload's bridge (the main process holds the token);
// - in a plain browser, from the URL fragment `#token=…`, which browsers never send to a server.
//   It is removed from the address bar at once, so it does not linger in history or a copied URL.
// The token stays in memory only: a reload in a browser needs the link again.
import type { ChaperoneBridge } from "../../electron/bridge.js";

declare global {
  interface Window {
    chaperone?: ChaperoneBridge;
  }
}

export async function readControlToken(): Promise<string | null> {
  if (window.chaperone !== undefined) return window.chaperone.controlToken();
  return takeTokenFromFragment();
}

function takeTokenFromFragment(): string | null {
  const fragment = new URLSearchParams(window.location.hash.slice(1));
  const token = fragment.get("token");
  if (token === null) return null;
  fragment.delete("token");
  const rest = fragment.toString();
  const url = `${window.location.pathname}${window.location.search}${rest === "" ? "" : `#${rest}`}`;
  window.history.replaceState(window.history.state, "", url);
  return token === "" ? null : token;
}
