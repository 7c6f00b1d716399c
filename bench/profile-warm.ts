// Where the server's CPU goes on the warm path: starts a Vajra server under `node --cpu-prof`, deploys
// the python and nodejs hellos, drives each with warm load (autocannon, 32 connections), stops the
// server and prints the top self-time functions of its profile. Run: `npm run build && node
// dist/bench/profile-warm.js` (BENCH_DURATION seconds per family, default 8; BENCH_ONLY=python;
// BENCH_SERVER_ROOT=<another checkout> profiles that build's server).

import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { zipDirectory } from "../src/blobs/zip-dir.js";
import { dropInstances, instanceCount, load, startVajra } from "./measure.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
// Another build's server (e.g. a worktree of the base commit), for a before/after comparison.
const SERVER_ROOT = process.env.BENCH_SERVER_ROOT ?? ROOT;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const TOP = Number(process.env.PROFILE_TOP ?? 25);

const FAMILIES = [
  {
    family: "python",
    name: "prof-python",
    runtime: "python3.12",
    handler: "app.handler",
    dir: "python-hello",
  },
  { family: "nodejs", name: "prof-node", runtime: "nodejs20.x", handler: "index.handler", dir: "node-hello" },
];

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function (name, file, line), in ms and as a share of all samples. */
function topSelf(profile: CpuProfile, n: number): { fn: string; ms: number; pct: number }[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    total += us;
    const f = byId.get(id)?.callFrame;
    const where =
      f === undefined ? "?" : `${f.url.replace(/^.*\/(node_modules|dist|src)\//, "$1/")}:${f.lineNumber + 1}`;
    const key = `${f?.functionName || "(anonymous)"} ${where}`;
    self.set(key, (self.get(key) ?? 0) + us);
  });
  return [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, us]) => ({ fn, ms: Math.round(us / 1000), pct: Math.round((1000 * us) / total) / 10 }));
}

async function main(): Promise<void> {
  const only = process.env.BENCH_ONLY?.split(",");
  const profDir = mkdtempSync(join(tmpdir(), "vajra-prof-"));
  const server = await startVajra(SERVER_ROOT, {}, ["--cpu-prof", `--cpu-prof-dir=${profDir}`]);
  const event = JSON.stringify({ name: "bench" });
  try {
    for (const f of FAMILIES) {
      if (only !== undefined && !only.includes(f.family)) continue;
      const zipFile = (await zipDirectory(join(ROOT, "bench", "functions", f.dir))).toString("base64");
      const r = await fetch(`${server.base}/functions`, {
        method: "POST",
        headers: { ...server.auth, "content-type": "application/json" },
        body: JSON.stringify({
          name: f.name,
          runtime: f.runtime,
          handler: f.handler,
          memorySize: 128,
          zipFile,
        }),
      });
      if (!r.ok) throw new Error(`deploy ${f.name}: ${r.status} ${await r.text()}`);
      const res = await load({
        target: f.name,
        url: `${server.base}/functions/${f.name}/invoke`,
        connections: 32,
        durationS: DURATION_S,
        headers: server.auth,
        body: event,
        instances: () => instanceCount(server, f.name),
      });
      console.log(
        `${f.name}: ${Math.round(res.rps)} req/s at 32 connections, ${res.instances ?? "?"} instances`,
      );
      await dropInstances(server, f.name);
    }
  } finally {
    await server.stop(); // SIGTERM: the server exits normally and node writes the profile
  }
  const file = readdirSync(profDir).find((n) => n.endsWith(".cpuprofile"));
  if (file === undefined) throw new Error(`no profile in ${profDir}`);
  const profile = JSON.parse(readFileSync(join(profDir, file), "utf8")) as CpuProfile;
  console.log(`profile: ${join(profDir, file)} (whole server run, deploys and warm-ups included)`);
  console.table(topSelf(profile, TOP));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
