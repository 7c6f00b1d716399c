// What storing invocation records (with their log events) costs the event loop, per record, with the
// store's writer thread and without it: `npm run build && node dist/bench/record-write-cost.js`. Batches of
// 40 Python-hello records (START/END/REPORT) go through insertInvocations as the record writer sends them;
// the event loop's share is the time each call blocks it, CPU is the whole process (both threads).
// Rounds alternate the two modes so drift of a shared host weighs on both alike.

import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InvocationRecord } from "../src/core/types.js";
import { SqliteStore } from "../src/store/sqlite-store.js";

const RECORDS = Number(process.env.RECORDS ?? 20_000);
const BATCH = 40;
const ROUNDS = 3;

function record(instanceId: string): InvocationRecord {
  const id = randomUUID();
  return {
    requestId: id,
    functionName: "bench-python",
    version: "$LATEST",
    startedAt: Date.now(),
    status: "success",
    report: { durationMs: 1.23, billedDurationMs: 2, memorySizeMb: 128, maxMemoryUsedMb: 20 },
    log:
      `START RequestId: ${id} Version: $LATEST\nEND RequestId: ${id}\n` +
      `REPORT RequestId: ${id}\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 20 MB\t\n`,
    instanceId,
    instanceStartedAt: Date.now() - 1000,
  };
}

async function measure(writerThread: boolean): Promise<{ loopUs: number; cpuUs: number }> {
  const dir = mkdtempSync(join(tmpdir(), "vajra-bench-writes-"));
  const store = new SqliteStore(join(dir, "vajra.db"), { writerThread });
  try {
    const instance = randomUUID().replace(/-/g, "");
    const batches = (n: number): InvocationRecord[][] =>
      Array.from({ length: n / BATCH }, () => Array.from({ length: BATCH }, () => record(instance)));
    for (const b of batches(2000)) await store.insertInvocations(b);
    const work = batches(RECORDS);
    let blocked = 0;
    const cpu0 = process.cpuUsage();
    for (const b of work) {
      const t0 = performance.now();
      const written = store.insertInvocations(b);
      blocked += performance.now() - t0;
      await written;
    }
    const cpu = process.cpuUsage(cpu0);
    return { loopUs: (blocked * 1000) / RECORDS, cpuUs: (cpu.user + cpu.system) / RECORDS };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Array<{ mode: string; round: number; "event loop µs/record": string; "CPU µs/record": string }> =
  [];
for (let round = 1; round <= ROUNDS; round++)
  for (const writerThread of round % 2 === 1 ? [true, false] : [false, true]) {
    const r = await measure(writerThread);
    rows.push({
      mode: writerThread ? "writer thread" : "inline",
      round,
      "event loop µs/record": r.loopUs.toFixed(1),
      "CPU µs/record": r.cpuUs.toFixed(1),
    });
  }
console.table(rows);
