import { describe, expect, it } from "vitest";
import {
  addLayer,
  checkDestinations,
  checkTags,
  destinationsFieldOf,
  destinationsFormOf,
  formatNetwork,
  moveLayer,
  parseNetwork,
  tagEdits,
  tagRowsOf,
} from "./settings.ts";

const L = "arn:aws:lambda:us-east-1:000000000000:layer:";

describe("tag editor", () => {
  it("edits rows and gives the whole set to send, empty rows ignored", () => {
    let rows = tagRowsOf({ team: "web", app: "shop" });
    expect(rows.map((r) => r.key)).toEqual(["app", "team"]);
    rows = tagEdits.add(rows);
    rows = tagEdits.set(rows, 2, "key", "env");
    rows = tagEdits.set(rows, 2, "value", "prod");
    rows = tagEdits.remove(rows, 0);
    rows = tagEdits.add(rows);
    expect(checkTags(rows)).toEqual({ tags: { team: "web", env: "prod" } });
  });

  it("refuses a missing key, a key twice, a reserved key and long values", () => {
    expect(checkTags([{ key: "", value: "x" }])).toEqual({ error: "Tag 1: a key is required." });
    expect(
      checkTags([
        { key: "a", value: "1" },
        { key: "a", value: "2" },
      ]),
    ).toEqual({ error: "Tag a is defined twice." });
    const errorOf = (r: ReturnType<typeof checkTags>): string | undefined =>
      "error" in r ? r.error : undefined;
    expect(errorOf(checkTags([{ key: "AWS:x", value: "1" }]))).toMatch(/reserved/);
    expect(errorOf(checkTags([{ key: "k", value: "v".repeat(257) }]))).toMatch(/256/);
    const many = Array.from({ length: 51 }, (_, i) => ({ key: `k${i}`, value: "" }));
    expect((checkTags(many) as { error?: string }).error).toMatch(/50 tags/);
  });
});

describe("layers", () => {
  it("adds, replaces another version of the same layer, moves, and stops at five", () => {
    let list = addLayer([], `${L}a:1`) as string[];
    list = addLayer(list, `${L}b:1`) as string[];
    expect(addLayer(list, `${L}a:2`)).toEqual([`${L}a:2`, `${L}b:1`]);
    expect(moveLayer(list, 1, -1)).toEqual([`${L}b:1`, `${L}a:1`]);
    expect(moveLayer(list, 0, -1)).toEqual(list);
    for (const n of ["c", "d", "e"]) list = addLayer(list, `${L}${n}:1`) as string[];
    expect(addLayer(list, `${L}f:1`)).toEqual({ error: "A function can use at most 5 layers." });
    expect(addLayer(list, "")).toEqual({ error: "Choose a layer to add." });
  });
});

describe("network mode", () => {
  it("reads and writes none, egress and named networks", () => {
    expect(parseNetwork(undefined)).toEqual({ mode: "none", names: [] });
    expect(parseNetwork("egress")).toEqual({ mode: "egress", names: [] });
    expect(parseNetwork("db, cache")).toEqual({ mode: "named", names: ["db", "cache"] });
    expect(formatNetwork("named", ["db", "cache"])).toBe("db,cache");
    expect(formatNetwork("egress", ["db"])).toBe("egress");
    expect((formatNetwork("named", []) as { error?: string }).error).toMatch(/at least one/);
  });
});

describe("destinations form", () => {
  it("sends only what is filled in, as numbers where numbers are asked", () => {
    const form = destinationsFormOf({ onFailure: "arn:x", maximumRetryAttempts: 1 });
    expect(form).toEqual({
      onSuccess: "",
      onFailure: "arn:x",
      maximumRetryAttempts: "1",
      maximumEventAgeInSeconds: "",
    });
    expect(checkDestinations(form)).toEqual({ values: { onFailure: "arn:x", maximumRetryAttempts: 1 } });
    expect(checkDestinations({ ...form, maximumEventAgeInSeconds: "1h" })).toEqual({
      errors: { maximumEventAgeInSeconds: "must be a whole number: '1h'." },
    });
  });

  it("places the server's errors beside their field", () => {
    expect(destinationsFieldOf("DestinationConfig.OnSuccess.Destination")).toBe("onSuccess");
    expect(destinationsFieldOf("DestinationConfig.OnFailure.Destination")).toBe("onFailure");
    expect(destinationsFieldOf("MaximumRetryAttempts")).toBe("maximumRetryAttempts");
    expect(destinationsFieldOf("MaximumEventAgeInSeconds")).toBe("maximumEventAgeInSeconds");
    expect(destinationsFieldOf("x")).toBeUndefined();
  });
});
