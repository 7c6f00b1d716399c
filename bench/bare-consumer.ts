// The bare consumer, run as a process of its own so that, like Vajra's mapping, it does not share an
// event loop with the bench's publisher: `node bare-consumer.js KIND TARGET BATCH COUNT` consumes
// from an existing queue or stream, prints READY once subscribed and DONE after COUNT acknowledgements.

import { openDriver, BROKER_KINDS, type BrokerKind } from "./broker-drivers.js";

async function main(): Promise<void> {
  const [kind, target, batch, count] = process.argv.slice(2);
  if (!BROKER_KINDS.includes(kind as BrokerKind) || target === undefined)
    throw new Error("usage: bare-consumer KIND TARGET BATCH COUNT");
  const want = Number(count);
  const d = await openDriver(kind as BrokerKind, target);
  let seen = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((r) => (finish = r));
  const stop = await d.consume(Number(batch), () => {
    if (++seen === want) finish();
  });
  process.stdout.write("READY\n");
  // The parent kills this process if it never gets there.
  await done;
  process.stdout.write("DONE\n");
  await stop();
  await d.close(false);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
