// Tests that need a local service (a broker, a database) ask here first: a service that does not answer
// skips the test with one line naming it, except in CI (CI=true or VAJRA_REQUIRE_SERVICES=1), where
// .ci/run provides every service and a missing one is a failure.

import assert from "node:assert/strict";
import type { TestContext } from "node:test";

export const REQUIRE_SERVICES = process.env.CI === "true" || process.env.VAJRA_REQUIRE_SERVICES === "1";

/** True when `probe` succeeds; otherwise skips `t` (or fails it in CI), naming the service by `label`. */
export async function reachable(
  t: TestContext,
  label: string,
  probe: () => Promise<unknown>,
): Promise<boolean> {
  try {
    await probe();
    return true;
  } catch (err) {
    if (REQUIRE_SERVICES)
      assert.fail(`${label} is not reachable: ${err instanceof Error ? err.message : String(err)}`);
    t.skip(`${label} is not reachable on this host`);
    return false;
  }
}
