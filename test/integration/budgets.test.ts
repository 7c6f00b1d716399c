// Budgets on a real server: an enforced budget with a tiny amount (default prices) is passed by a few
// invocations of a Python function; its webhook gets each threshold's alert exactly once, a `log` budget
// writes its alert to the server log, a function alert arrives as an Event invocation, the next invoke
// is refused with 429 naming the budget (native and Lambda API), and raising the budget lets invokes run
// again. Bad input changes nothing.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { InvokeCommand, TooManyRequestsException } from "@aws-sdk/client-lambda";
import { deploy, invoke, startServer, stopAndClean, waitFor, type ServerHandle } from "./harness.js";
import { lambdaClientFor } from "./aws-client.js";

let s: ServerHandle;
let hook: Server;
let hookUrl = "";
/** Bodies the webhook received (the first two POSTs are answered 500, to exercise the retry). */
const received: Array<Record<string, unknown>> = [];
let posts = 0;

before(async () => {
  s = await startServer();
  for (const [name, handler] of [
    ["work", "app.work"],
    ["other", "app.work"],
    ["sink", "app.record"],
  ] as const)
    assert.equal(
      (await deploy(s, { name, runtime: "python3.11", handler }, "python/destinations")).status,
      201,
    );
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      posts++;
      if (posts <= 2) {
        res.writeHead(500).end();
        return;
      }
      received.push(JSON.parse(body) as Record<string, unknown>);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  const addr = hook.address();
  hookUrl = `http://127.0.0.1:${typeof addr === "object" && addr !== null ? addr.port : 0}/alerts`;
});
after(async () => {
  hook.closeAllConnections();
  await new Promise((r) => hook.close(r));
  await stopAndClean(s);
});

/** What the budget routes answer (a budget, a list, or an error). */
interface Answer {
  error: { code: string; message: string };
  state: { enforced: boolean; percent: number; currency: string };
  budgets: unknown[];
}

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Answer }> {
  const r = await s.api(path, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  });
  const text = await r.text();
  return { status: r.status, json: (text === "" ? {} : JSON.parse(text)) as Answer };
}

test("bad budgets are refused naming the field, and nothing is created", async () => {
  const neg = await call("POST", "/budgets", { name: "neg", monthlyAmount: -5, scope: "all" });
  assert.equal(neg.status, 400);
  assert.equal(neg.json.error.code, "InvalidParameter");
  assert.match(neg.json.error.message, /monthlyAmount must be a number greater than 0/);
  const unknownFn = await call("POST", "/budgets", { name: "x", monthlyAmount: 5, scope: "function:nope" });
  assert.equal(unknownFn.status, 400);
  assert.match(unknownFn.json.error.message, /scope names function "nope", which does not exist/);
  const kind = await call("POST", "/budgets", { name: "x", monthlyAmount: 5, scope: "team:a" });
  assert.equal(kind.status, 400);
  assert.match(kind.json.error.message, /scope must be "all" or "function:NAME"/);
  const threshold = await call("POST", "/budgets", {
    name: "x",
    monthlyAmount: 5,
    scope: "all",
    alertAt: [0],
  });
  assert.equal(threshold.status, 400);
  assert.match(threshold.json.error.message, /alertAt/);
  const target = await call("POST", "/budgets", {
    name: "x",
    monthlyAmount: 5,
    scope: "all",
    alertTo: "ftp://h/x",
  });
  assert.equal(target.status, 400);
  assert.match(target.json.error.message, /alertTo/);
  const cli = s.cli(["budget", "create", "neg", "--monthly=-5", "--scope", "all"]);
  assert.equal(cli.status, 1, cli.stderr);
  assert.match(cli.stderr, /monthlyAmount must be a number greater than 0/);
  assert.deepEqual((await call("GET", "/budgets")).json, { budgets: [] });
  assert.equal((await call("GET", "/budgets/none")).status, 404);
  assert.equal((await call("GET", "/budgets/none")).json.error.code, "BudgetNotFound");
});

test("an enforced budget alerts once per threshold, throttles its function at 100 % and lifts when raised", async () => {
  const created = s.cli([
    ...["budget", "create", "cap", "--monthly", "0.000001", "--scope", "function:work"],
    ...["--alert-at", "50,100", "--alert-to", hookUrl, "--enforce", "--json"],
  ]);
  assert.equal(created.status, 0, created.stderr);
  assert.equal((JSON.parse(created.stdout) as Answer).state.enforced, false);
  const dup = await call("POST", "/budgets", { name: "cap", monthlyAmount: 1, scope: "all" });
  assert.equal(dup.status, 409);
  assert.equal(
    (await call("POST", "/budgets", { name: "watch", monthlyAmount: 0.000001, scope: "all", alertAt: [100] }))
      .status,
    201,
  );
  assert.equal(
    (
      await call("POST", "/budgets", {
        ...{ name: "tell", monthlyAmount: 0.000001, scope: "function:work" },
        ...{ alertAt: [100], alertTo: "sink" },
      })
    ).status,
    201,
  );

  // Each invocation costs about 0.0000002 USD at the default prices: a handful passes 0.000001.
  let refused: { status: number; json: () => Record<string, unknown> } | undefined;
  for (let i = 0; i < 30 && refused === undefined; i++) {
    const r = await invoke(s, "work", { id: i });
    if (r.status === 429) refused = r;
    else {
      assert.equal(r.status, 200, r.text);
      if ((await call("GET", "/budgets/cap")).json.state.enforced === true) break;
    }
  }
  const { state } = (await call("GET", "/budgets/cap")).json;
  assert.equal(state.enforced, true, JSON.stringify(state));
  assert.ok(state.percent >= 100);
  assert.equal(state.currency, "USD");

  const no = await invoke(s, "work", { id: "after" });
  assert.equal(no.status, 429);
  const err = (no.json() as { error: { code: string; message: string } }).error;
  assert.equal(err.code, "BudgetExceeded");
  assert.match(err.message, /budget "cap" \(scope function:work\) has reached 100 %/);
  const event = await s.api("/functions/work/invoke", {
    method: "POST",
    headers: { "x-vajra-invocation-type": "Event" },
    body: "{}",
  });
  assert.equal(event.status, 429, "an Event invocation is refused before it is queued");
  const lambda = lambdaClientFor(s);
  try {
    await assert.rejects(lambda.send(new InvokeCommand({ FunctionName: "work" })), (e: unknown) => {
      assert.ok(e instanceof TooManyRequestsException);
      assert.equal(e.Reason, "BudgetExceeded");
      assert.match(e.message, /budget "cap"/);
      return true;
    });
  } finally {
    lambda.destroy();
  }
  assert.equal((await invoke(s, "other", { id: "o" })).status, 200, "functions out of scope run");

  // The webhook answered 500 twice: the retries deliver 50 % and 100 %, each once.
  assert.ok(await waitFor(() => received.length >= 2, 30_000), `webhook got ${JSON.stringify(received)}`);
  for (let i = 0; i < 3; i++) await call("GET", "/budgets/cap");
  await call("GET", "/budgets");
  const hundred = received.filter((a) => a.thresholdPercent === 100);
  assert.equal(hundred.length, 1, JSON.stringify(received));
  assert.equal(received.filter((a) => a.thresholdPercent === 50).length, 1);
  const alert = hundred[0] ?? {};
  assert.equal(alert.budget, "cap");
  assert.equal(alert.scope, "function:work");
  assert.match(String(alert.period), /^\d{4}-\d{2}$/);
  assert.equal(alert.amount, 0.000001);
  assert.equal(alert.currency, "USD");
  assert.ok(Number(alert.spent) >= 0.000001);
  assert.equal(typeof alert.at, "string");

  // The `log` budget's alert is in the server log; the function alert reached `sink` as its event.
  // (The server logs JSON lines: the quotes around the name are escaped.)
  const logged = /budget \\"watch\\" \(scope all\) reached 100 %/;
  assert.ok(await waitFor(() => logged.test(s.output()), 10_000), s.output());
  assert.ok(
    await waitFor(async () => {
      const r = await s.api("/functions/sink/logs?limit=20");
      const { invocations } = (await r.json()) as { invocations: { log: string }[] };
      return invocations.some(
        (i) => i.log.includes('"budget": "tell"') && i.log.includes('"thresholdPercent": 100'),
      );
    }, 30_000),
    "the function alert arrived",
  );

  const show = s.cli(["budget", "show", "cap"]);
  assert.equal(show.status, 0, show.stderr);
  assert.match(show.stdout, /throttled\s+yes/);
  const raised = s.cli(["budget", "update", "cap", "--monthly", "1", "--json"]);
  assert.equal(raised.status, 0, raised.stderr);
  assert.equal((JSON.parse(raised.stdout) as Answer).state.enforced, false);
  assert.equal((await invoke(s, "work", { id: "again" })).status, 200, "raised: invokes run again");
  const off = s.cli(["budget", "update", "cap", "--no-enforce", "--json"]);
  assert.equal(off.status, 0, off.stderr);
  assert.equal((JSON.parse(off.stdout) as { enforce: boolean }).enforce, false);
  const list = s.cli(["budget", "list"]);
  assert.equal(list.status, 0, list.stderr);
  assert.match(list.stdout, /cap\s+function:work/);
  assert.equal(s.cli(["budget", "delete", "watch", "--yes"]).status, 0);
  assert.equal((await call("GET", "/budgets/watch")).status, 404);
});
