import { defineConfig } from "vitest/config";

// Tauri serves the built files from ui/dist; the dev server is only for `tauri dev`.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true, sourcemap: false },
  test: { environment: "happy-dom", include: ["src/**/*.test.ts"] },
});
