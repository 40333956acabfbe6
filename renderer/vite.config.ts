// Builds renderer/ into renderer/dist, which the engine's control server serves at `/`.
// `base: "./"` keeps asset URLs relative, so the page works wherever the server mounts it.
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin, type ProxyOptions } from "vite";
import react from "@vitejs/plugin-react";
import { contentSecurityPolicy } from "../proxy/control/content-security-policy.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

/** Writes the CSP into the built index.html. Build only: the dev server needs inline scripts. */
function cspMetaTag(): Plugin {
  return {
    name: "chaperone-csp-meta",
    apply: "build",
    transformIndexHtml: () => [
      {
        tag: "meta",
        attrs: { "http-equiv": "Content-Security-Policy", content: contentSecurityPolicy("meta") },
        injectTo: "head-prepend",
      },
    ],
  };
}

/**
 * `npm run renderer:dev` (or `vite preview`) against a running engine: set CHAPERONE_CONTROL_URL
 * to its control URL and open the dev server with `#token=…`. The proxy rewrites Host and drops
 * Origin, because the control server (rightly) refuses the dev server's; the token is still
 * required on every request.
 */
function devProxy(): Record<string, ProxyOptions> | undefined {
  const target = process.env.CHAPERONE_CONTROL_URL;
  if (!target) return undefined;
  return {
    "/api/": {
      target,
      changeOrigin: true,
      configure: (proxy) => {
        proxy.on("proxyReq", (request) => request.removeHeader("origin"));
      },
    },
  };
}

export default defineConfig({
  root,
  base: "./",
  plugins: [react(), cspMetaTag()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // No inline data: URLs for small assets: the CSP allows 'self' only.
    assetsInlineLimit: 0,
  },
  server: { host: "127.0.0.1", strictPort: true, proxy: devProxy() },
  preview: { host: "127.0.0.1", strictPort: true, proxy: devProxy() },
});
