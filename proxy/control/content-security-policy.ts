// The renderer's Content-Security-Policy, in one place for everyone who delivers it: the Vite build
// writes it into index.html as a <meta> tag, the Electron shell adds it as a response header, and
// the engine's control server sends it with the files it serves from renderer/dist.
// The page talks only to its own origin (the control server), so everything is 'self' or nothing.

const DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ["default-src", "'self'"],
  ["script-src", "'self'"],
  ["style-src", "'self'"],
  ["img-src", "'self'"],
  ["font-src", "'self'"],
  ["connect-src", "'self'"],
  ["object-src", "'none'"],
  ["base-uri", "'none'"],
  ["form-action", "'none'"],
  ["frame-src", "'none'"],
  ["worker-src", "'none'"],
  ["frame-ancestors", "'none'"],
];

/** Directives a <meta> tag may not carry: Chromium ignores them there and logs a console error. */
const HEADER_ONLY = new Set(["frame-ancestors"]);

export function contentSecurityPolicy(delivery: "header" | "meta"): string {
  return DIRECTIVES.filter(([name]) => delivery === "header" || !HEADER_ONLY.has(name))
    .map(([name, value]) => `${name} ${value}`)
    .join("; ");
}
