import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// The server embeds dist/ at build time; the dev server proxies the API to a running periscope.
export default defineConfig({
  plugins: [react()],
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
