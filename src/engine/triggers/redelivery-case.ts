// One case beside the broker contract, for the adapters whose events are vajra:* Records with `body` and
// `bodyEncoding` and whose broker keeps a consumer's unacknowledged messages (MQTT sessions, Redis
// consumer groups): what was delivered but not acknowledged when the consumer went away is delivered
// again to the mapping's next consumer, and a body that is not UTF-8 arrives base64.

import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { parseSourceUri } from "../../core/event-source-mapping.js";
import { skipUnless, type BrokerFixture } from "./broker-contract.js";

export interface RedeliveryFixture extends Pick<BrokerFixture, "adapter" | "uri" | "available" | "remove"> {
  publish: (name: string, bodies: (string | Buffer)[]) => Promise<void>;
}

export function redeliveryCase(label: string, f: RedeliveryFixture): void {
  test(`${label}: what was delivered but not acknowledged is delivered again to the next consumer; binary bodies are base64`, async (t) => {
    if (!(await skipUnless(t, f, label))) return;
    const name = `vajra-redeliver-${randomUUID().slice(0, 8)}`;
    const source = parseSourceUri(f.uri(name));
    const uuid = randomUUID();
    const ac = new AbortController();
    let c = await f.adapter.open(source, { uuid, batchSize: 10 });
    try {
      await f.publish(name, ["one", Buffer.from([0xff, 0xfe])]);
      const first = await c.next(2, 3000, ac.signal);
      assert.equal(first.length, 2);
      const [acked] = first;
      assert.ok(acked !== undefined);
      await c.ack(acked);
      await c.close(); // the second is left unacknowledged
      await f.publish(name, ["while away"]);
      c = await f.adapter.open(source, { uuid, batchSize: 10 });
      const again = await c.next(2, 3000, ac.signal);
      const e = f.adapter.event("arn", source, again) as {
        Records: { body: string; bodyEncoding: string }[];
      };
      assert.deepEqual(
        e.Records.map((r) => [r.body, r.bodyEncoding]),
        [
          [Buffer.from([0xff, 0xfe]).toString("base64"), "base64"],
          ["while away", "utf8"],
        ],
      );
      await Promise.all(again.map((m) => c.ack(m)));
    } finally {
      await c.close();
      await f.adapter.dispose(source, uuid);
      await f.remove(name);
    }
  });
}
