import { defineConfig } from "vite";

// The window loads the built files from `dist/` (embedded by tauri-build); no dev server.
export default defineConfig({
  base: "./",
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2000 },
  clearScreen: false,
});
