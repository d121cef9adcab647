import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The app is written against React's API and types, and runs on Preact (preact/compat): a tenth
// of React's size, so the first render of a cold page spends far less main-thread time.
const preactAliases = [
  { find: /^react$/, replacement: "preact/compat" },
  { find: /^react-dom$/, replacement: "preact/compat" },
  { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
  { find: /^react-dom\/test-utils$/, replacement: "preact/test-utils" },
  { find: /^react\/jsx-(dev-)?runtime$/, replacement: "preact/jsx-runtime" },
];

// The server embeds dist/ at build time; the dev server proxies the API to a running periscope.
export default defineConfig({
  plugins: [react()],
  resolve: { alias: preactAliases },
  build: { outDir: process.env.PERISCOPE_UI_OUT ?? "dist", emptyOutDir: true, chunkSizeWarningLimit: 1024 },
  server: {
    proxy: Object.fromEntries(
      ["/api", "/jaeger", "/prometheus"].map((p) => [p, process.env.PERISCOPE_URL ?? "http://127.0.0.1:7070"]),
    ),
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
  },
});
