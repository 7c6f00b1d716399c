import { describe, expect, it } from "vitest";
import { checkConfigForm, fieldOf, formOf } from "./validate.ts";

describe("configuration form", () => {
  it("turns the typed text into the deploy's values", () => {
    const r = checkConfigForm({ memorySize: " 256 ", timeout: "30", env: [{ key: "STAGE", value: "prod" }] });
    expect(r).toEqual({ values: { memorySize: 256, timeout: 30, environment: { STAGE: "prod" } } });
  });

  it("names the field that is not a whole number, and leaves ranges to the server", () => {
    const r = checkConfigForm({ memorySize: "12.5", timeout: "", env: [] });
    expect("errors" in r && r.errors.memorySize).toMatch(/Memory must be a whole number of MB: '12.5'/);
    expect("errors" in r && r.errors.timeout).toMatch(/Timeout is required/);
    // 99999 MB is out of range, but that is the API's judgement (its message is shown in place).
    expect(checkConfigForm({ memorySize: "99999", timeout: "3", env: [] })).toHaveProperty("values");
  });

  it("refuses an invalid or repeated variable name and ignores empty rows", () => {
    const bad = checkConfigForm({ memorySize: "128", timeout: "3", env: [{ key: "1X", value: "" }] });
    expect("errors" in bad && bad.errors.environment).toMatch(/'1X' is not a valid name/);
    const twice = checkConfigForm({
      memorySize: "128",
      timeout: "3",
      env: [
        { key: "A", value: "1" },
        { key: "A", value: "2" },
      ],
    });
    expect("errors" in twice && twice.errors.environment).toMatch(/defined twice/);
    const empty = checkConfigForm({ memorySize: "128", timeout: "3", env: [{ key: "", value: "" }] });
    expect(empty).toEqual({ values: { memorySize: 128, timeout: 3, environment: {} } });
  });

  it("fills the form from a configuration and maps server fields to form fields", () => {
    expect(formOf({ memorySize: 128, timeout: 3, environment: { A: "b" } })).toEqual({
      memorySize: "128",
      timeout: "3",
      env: [{ key: "A", value: "b" }],
    });
    expect(fieldOf("memorySize")).toBe("memorySize");
    expect(fieldOf("environment.KEY")).toBe("environment");
    expect(fieldOf("runtime")).toBeUndefined();
    expect(fieldOf(undefined)).toBeUndefined();
  });
});
