// Mode `none`: the sandbox makes an empty network namespace of its own (loopback only).

import type { NetworkAttachment, NetworkBackend } from "./network.js";

export class NoNetwork implements NetworkBackend {
  readonly mode = "none" as const;
  readonly unavailable = undefined;

  attach(): Promise<NetworkAttachment> {
    return Promise.resolve({ release: () => {} });
  }

  sweep(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
