import { defineConfig } from "vite";

// Plain static build into ui/dist, which tauri.conf.json embeds.
export default defineConfig({
  clearScreen: false,
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  test: { environment: "jsdom" },
} as never);
