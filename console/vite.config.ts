// Builds the console (React) into dist/console, which `vajra server` serves at /console/; vitest runs
// the console's unit tests from the same config.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here("."),
  base: "/console/",
  plugins: [react()],
  build: {
    outDir: here("../dist/console"),
    emptyOutDir: true,
    // Hashed names under assets/ get the server's year-long cache; index.html is revalidated.
    assetsDir: "assets",
    sourcemap: true,
    chunkSizeWarningLimit: 800,
  },
  test: {
    root: here("."),
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    environment: "node",
  },
});
