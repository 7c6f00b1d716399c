#!/usr/bin/env node
// Entry point of the `vajra` command: runs the compiled CLI (built by `npm install` / `npm run build`).
import { main } from "../dist/src/cli/main.js";
await main(process.argv);
