// Puts the pool of pre-initialised sandboxes in front of the sandbox backend where the host allows it:
// bubblewrap, run as root (mounting into running sandboxes needs it), and a pool size above zero
// (VAJRA_PREINIT_POOL, default 1 per recently cold-started runtime shape). Elsewhere instances start as
// before, and the reason is given once.

import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NetworkAttachment } from "../network/network.js";
import { BwrapSandbox, type SandboxBackend } from "../sandbox.js";
import { Mounter } from "./mounter.js";
import { PreinitBackend } from "./preinit-backend.js";

const HOST_PYTHON = "/usr/bin/python3";

export interface PreinitSetup {
  backend: SandboxBackend;
  pool: PreinitBackend | undefined;
  /** Kills the waiting sandboxes and unmounts every slot; after the executor closed. */
  close(): Promise<void>;
}

/** The pool size from VAJRA_PREINIT_POOL (a whole number 0–8; 0 turns the pool off). */
export function preinitPoolSize(raw = process.env.VAJRA_PREINIT_POOL): number {
  if (raw === undefined || raw.trim() === "") return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 8)
    throw new Error(`VAJRA_PREINIT_POOL must be a whole number from 0 to 8, not ${JSON.stringify(raw)}`);
  return n;
}

export function withPreinit(
  inner: SandboxBackend,
  perKey: number,
  onWarning: (message: string) => void,
  /** A plain egress namespace (the egress network backend's attach), when the host has egress. */
  attachEgress?: () => Promise<NetworkAttachment>,
): PreinitSetup {
  const off = { backend: inner, pool: undefined, close: () => Promise.resolve() };
  if (perKey === 0 || !(inner instanceof BwrapSandbox) || process.getuid?.() !== 0) return off;
  let mounter: Mounter;
  try {
    mounter = new Mounter(join(tmpdir(), `vajra-preinit-${process.pid}`));
  } catch (err) {
    onWarning(`no pre-initialised sandboxes (cold starts take longer): ${(err as Error).message}`);
    return off;
  }
  const pool = new PreinitBackend(inner, {
    root: mounter.root,
    mounter,
    perKey,
    // Room for every runtime family's shape (Python, Node.js, Java, Go/Rust/custom behind the exec
    // waiter or the forwarder, each also with egress); a waiting sandbox holds 10-40 MB.
    maxTotal: Math.max(12, perKey * 12),
    idleMs: 5 * 60_000,
    waitingMemoryMb: 256,
    minAvailableShare: 0.1,
    onWarning,
    // The host's Python, bound into every sandbox with /usr, runs the exec waiter.
    ...(existsSync(HOST_PYTHON) ? { execWaiter: HOST_PYTHON } : {}),
    ...(attachEgress === undefined ? {} : { attachEgress }),
  });
  return {
    backend: pool,
    pool,
    close: async () => {
      pool.close();
      await mounter.close();
    },
  };
}
