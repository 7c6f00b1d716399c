// A collector that cannot take the last spans must not hold the server up: with an OTLP endpoint that
// accepts connections and never answers (a black hole), or that refuses them, the server still exits on
// the first SIGTERM, having waited only a bounded time for the final export.

import { createServer as createTcpServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { deploy, invoke, startServer, type ServerHandle } from "./harness.js";

/** Generous: the server waits 3 s for the collector; this only bounds a hang. */
const EXIT_WITHIN_MS = 30_000;

async function exitsOnOneSigterm(endpoint: string): Promise<void> {
  let s: ServerHandle | undefined;
  try {
    // A short batch delay, so a span is on its way to the collector when the signal comes.
    s = await startServer({ args: ["--otlp-endpoint", endpoint], env: { OTEL_BSP_SCHEDULE_DELAY: "200" } });
    const d = await deploy(
      s,
      { name: "traced", runtime: "python3.11", handler: "app.handler", tracing: "active" },
      "python/traced",
    );
    assert.equal(d.status, 201, JSON.stringify(d.json));
    // The first span's export goes out (and, to a black hole, never comes back); the next ones wait for
    // the final flush at shutdown.
    assert.equal((await invoke(s, "traced", {})).status, 200);
    await new Promise((r) => setTimeout(r, 1000));
    for (let i = 0; i < 3; i++) assert.equal((await invoke(s, "traced", {})).status, 200);
    const proc = s.proc;
    const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
    proc.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise<"hung">((r) => (timer = setTimeout(() => r("hung"), EXIT_WITHIN_MS)));
    const outcome = await Promise.race([exited, hung]);
    clearTimeout(timer);
    assert.notEqual(outcome, "hung", `the server did not exit on one SIGTERM:\n${s.output()}`);
    assert.equal(outcome, 0, s.output());
    assert.doesNotMatch(s.output(), /shutdown failed|second SIGTERM/);
  } finally {
    if (s !== undefined) {
      await s.stop("SIGKILL");
      rmSync(s.dataDir, { recursive: true, force: true });
    }
  }
}

test("the server exits on one SIGTERM when the OTLP endpoint accepts and never answers", async () => {
  const sockets = new Set<Socket>();
  const blackHole = createTcpServer((socket) => {
    // Read and hold: the exporter's request is taken and never answered.
    sockets.add(socket);
    socket.on("data", () => undefined);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((r) => blackHole.listen(0, "127.0.0.1", r));
  try {
    const { port } = blackHole.address() as AddressInfo;
    await exitsOnOneSigterm(`http://127.0.0.1:${port}`);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((r) => blackHole.close(() => r()));
  }
});

test("the server exits on one SIGTERM when the OTLP endpoint refuses connections", async () => {
  // A port that was just free on loopback: nothing listens there, so connecting is refused.
  const probe = createTcpServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((r) => probe.close(() => r()));
  await exitsOnOneSigterm(`http://127.0.0.1:${port}`);
});
