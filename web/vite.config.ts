import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

/**
 * The web app's build. Preact stands in for React (`preact/compat`), so dnd-kit runs on a
 * 4 KB runtime. `npm run dev:web` serves it with the API proxied to the local gateway.
 */
const gateway = process.env.TASKFLOW_GATEWAY ?? "http://127.0.0.1:7000";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  resolve: {
    alias: {
      react: "preact/compat",
      "react-dom": "preact/compat",
      "react/jsx-runtime": "preact/jsx-runtime",
    },
  },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: { host: "127.0.0.1", proxy: { "/api": { target: gateway, changeOrigin: false } } },
});
