// A narrowed benchmark: cold starts of the Java runtime only (a Map handler and a RequestStreamHandler,
// which start without Jackson, and a POJO handler, which loads Jackson's
// databind), against a Vajra server
// started from the tree given as the first argument (default: this one), e.g. to compare two commits.
//   node --import tsx bench/java-cold.ts [ROOT] [SAMPLES]

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { zipDirectory } from "../src/blobs/zip-dir.js";
import { coldStarts, startVajra } from "./measure.js";

const HERE = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const root = resolve(process.argv[2] ?? HERE);
const samples = Number(process.argv[3] ?? 15);

const functions = [
  {
    name: "cold-java-map",
    handler: "example.Hello::handleRequest",
    dir: "bench/functions/java-hello",
    event: "{}",
  },
  { name: "cold-java-stream", handler: "example.Upper", dir: "examples/java/stream", event: '"hi"' },
  {
    name: "cold-java-pojo",
    handler: "example.Move",
    dir: "bench/functions/java-pojo",
    event: '{"x":1,"y":2,"label":"p"}',
  },
];

const server = await startVajra(root);
try {
  for (const f of functions) {
    const zipFile = (await zipDirectory(join(HERE, f.dir))).toString("base64");
    const r = await fetch(`${server.base}/functions`, {
      method: "POST",
      headers: { ...server.auth, "content-type": "application/json" },
      body: JSON.stringify({ name: f.name, runtime: "java17", handler: f.handler, memorySize: 128, zipFile }),
    });
    if (r.status !== 201) throw new Error(`deploying ${f.name}: ${r.status} ${await r.text()}`);
    const c = await coldStarts(server, f.name, f.event, samples);
    const ms = (n: number): string => n.toFixed(1);
    process.stdout.write(
      `${f.name}: cold p50 ${ms(c.p50)} ms, p99 ${ms(c.p99)} ms, init p50 ${ms(c.initP50)} ms, n=${c.samples}, errors=${c.errors}\n`,
    );
  }
} finally {
  await server.stop();
}
