// One bridge, one server. A server's start removes whatever a previous run with its bridge left behind;
// without an owner record, a second server started with the same bridge name would remove the first
// one's namespaces and rules under its running instances. The record lives in /run (gone after a
// reboot, as the namespaces are) and names the owner's pid; a dead owner's record is taken over.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const OWNERS_DIR = "/run/vajra/bridges";

interface Owner {
  pid: number;
  dataDir: string;
}

function ownerFile(bridge: string, dir: string): string {
  return join(dir, `${bridge}.owner`);
}

/** Whether `pid` is a live process that is a Vajra server (not an unrelated process reusing the pid). */
function liveServer(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("vajra");
  } catch {
    return false;
  }
}

/**
 * Records this process as the bridge's owner, unless another live server owns it: then the problem,
 * naming that server and what to set instead.
 */
export function claimBridge(bridge: string, dataDir: string, dir = OWNERS_DIR): string | undefined {
  const file = ownerFile(bridge, dir);
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as Owner;
    if (owner.pid !== process.pid && liveServer(owner.pid))
      return (
        `bridge ${bridge} belongs to another running Vajra server (pid ${owner.pid}, data directory ` +
        `${owner.dataDir}): give this one a bridge and subnet of its own (VAJRA_NET_BRIDGE, VAJRA_NET_SUBNET)`
      );
  } catch {
    // no record, or an unreadable one: nobody owns the bridge
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  writeFileSync(file, JSON.stringify({ pid: process.pid, dataDir } satisfies Owner));
  return undefined;
}

/** Drops the record if this process owns the bridge. */
export function releaseBridge(bridge: string, dir = OWNERS_DIR): void {
  const file = ownerFile(bridge, dir);
  try {
    if ((JSON.parse(readFileSync(file, "utf8")) as Owner).pid === process.pid) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
