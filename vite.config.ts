import path from "node:path";
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const root = path.dirname(fileURLToPath(import.meta.url));

/** The web app: built into dist/web and served by the Okra server at `/`. */
export default defineConfig({
  root: path.join(root, "src/web"),
  plugins: [react()],
  build: {
    outDir: path.join(root, "dist/web"),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { "/api": "http://localhost:3000" },
  },
});
