// Locks the shell down to the one thing it is for: showing the control server's page. Everything
// a web page could use to leave that origin (navigation, popups, webviews, permissions) is refused.
import { app, type Session, type WebContents } from "electron";
import { contentSecurityPolicy } from "../proxy/control/content-security-policy.js";

export function isSameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

/** Adds the CSP header to every response and denies every permission (camera, notifications, …). */
export function lockDownSession(session: Session): void {
  const policy = contentSecurityPolicy("header");
  session.webRequest.onHeadersReceived((details, callback) => {
    // Added next to any policy the server sends: browsers enforce every policy they are given.
    callback({ responseHeaders: { ...details.responseHeaders, "Content-Security-Policy": [policy] } });
  });
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}

/**
 * Keeps every web contents on `origin`: no navigation or redirect elsewhere, no new windows, no
 * webviews. Call it before the first window exists: it applies to web contents created after it.
 */
export function lockDownNavigation(origin: string): void {
  const lock = (contents: WebContents): void => {
    contents.on("will-navigate", (event) => {
      if (!isSameOrigin(event.url, origin)) event.preventDefault();
    });
    contents.on("will-redirect", (event) => {
      if (!isSameOrigin(event.url, origin)) event.preventDefault();
    });
    contents.on("will-attach-webview", (event) => event.preventDefault());
    // The app has no use for a second window; links to elsewhere are not part of it (yet).
    contents.setWindowOpenHandler(() => ({ action: "deny" }));
  };
  app.on("web-contents-created", (_event, contents) => lock(contents));
}
