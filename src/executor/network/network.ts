// How an instance reaches the network, behind one interface with one adapter per mode: `none` (an
// empty namespace of its own, bubblewrap's --unshare-net) and `egress` (outbound connections to public
// addresses through the host's NAT, never to the host itself, private ranges, link-local or another
// instance; the same backend serves named networks, each set of them with its own address block and
// rules). The executor asks the function's mode for an attachment before it starts an instance and
// releases it when the instance is gone; nothing changes per invocation.

import type { NetworkMode } from "../../core/types.js";

export type { NetworkMode } from "../../core/types.js";

/** What one instance gets: a prepared network namespace to run in, and the resolver it sees. */
export interface NetworkAttachment {
  /** A network namespace file (/run/netns/NAME) the sandbox joins; absent = a fresh empty namespace. */
  netnsPath?: string;
  /** A resolv.conf shown at /etc/resolv.conf inside the sandbox. */
  resolvConf?: string;
  /** Removes the namespace and its interfaces; called once the instance's processes are gone. */
  release(): void;
}

export interface NetworkBackend {
  readonly mode: NetworkMode;
  /** Why the mode cannot be offered on this host (undefined when it can). */
  readonly unavailable: string | undefined;
  /** An attachment for one instance; `networks` names the named networks it joins (egress's backend). */
  attach(networks?: readonly string[]): Promise<NetworkAttachment>;
  /** Removes what a previous run left behind (after a crash), before any instance starts. */
  sweep(): Promise<void>;
  close(): Promise<void>;
}
