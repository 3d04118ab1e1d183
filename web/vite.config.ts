import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The console is served by Postbag itself at `/` (see src/http/console.ts); in development,
// `npx vite` in web/ proxies the API to a Postbag on POSTBAG_URL (default http://127.0.0.1:3000).
const api = process.env.POSTBAG_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  build: { target: "es2022", sourcemap: false, chunkSizeWarningLimit: 800 },
  server: { proxy: { "/v1": api } },
});
