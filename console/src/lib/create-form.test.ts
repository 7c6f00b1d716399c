import { describe, expect, it } from "vitest";
import type { RuntimeInfo } from "./api.ts";
import {
  checkCreateForm,
  createFieldOf,
  defaultHandler,
  emptyCreateForm,
  initialRuntime,
  withRuntime,
} from "./create-form.ts";

const RUNTIMES: RuntimeInfo[] = [
  { id: "java21", family: "java", available: false, reason: "no JDK 21 on this host" },
  { id: "nodejs20.x", family: "nodejs", available: true },
  { id: "python3.8", family: "python", available: true, deprecated: true },
  { id: "python3.12", family: "python", available: true },
];

describe("create-function form", () => {
  it("starts from an available, not deprecated runtime, preferring Python, with its usual handler", () => {
    const r = initialRuntime(RUNTIMES);
    expect(r?.id).toBe("python3.12");
    const form = emptyCreateForm(r);
    expect(form.handler).toBe("app.handler");
    expect(form.memorySize).toBe("128");
    expect(initialRuntime([])).toBeUndefined();
  });

  it("changes the handler with the runtime until the user types one", () => {
    const form = emptyCreateForm(RUNTIMES[3]);
    const node = withRuntime(form, RUNTIMES[1]);
    expect(node.handler).toBe("index.handler");
    const typed = { ...node, handler: "main.run", handlerEdited: true };
    expect(withRuntime(typed, RUNTIMES[3]).handler).toBe("main.run");
    expect(defaultHandler({ id: "provided.al2023", family: "provided", available: true })).toBe("bootstrap");
  });

  it("names every missing or malformed field, the code included", () => {
    const form = { ...emptyCreateForm(RUNTIMES[3]), name: "bad name!", handler: " ", memorySize: "lots" };
    const r = checkCreateForm(form, RUNTIMES, false);
    const errors = "errors" in r ? r.errors : {};
    expect(errors.name).toMatch(/not a valid function name/);
    expect(errors.handler).toMatch(/required/);
    expect(errors.memorySize).toMatch(/whole number/);
    expect(errors.code).toMatch(/folder/);
    const zip = checkCreateForm({ ...form, source: "zip" }, RUNTIMES, false);
    expect("errors" in zip && zip.errors.code).toMatch(/\.zip/);
  });

  it("refuses an unavailable runtime with the server's reason", () => {
    const form = { ...emptyCreateForm(RUNTIMES[0]), name: "f" };
    const r = checkCreateForm(form, RUNTIMES, true);
    expect("errors" in r && r.errors.runtime).toMatch(/no JDK 21/);
  });

  it("gives the values to send; ranges are left to the server", () => {
    const form = {
      ...emptyCreateForm(RUNTIMES[3]),
      name: " hello ",
      memorySize: "99999",
      env: [
        { key: "A", value: "1" },
        { key: "", value: "" },
      ],
    };
    expect(checkCreateForm(form, RUNTIMES, true)).toEqual({
      values: {
        name: "hello",
        runtime: "python3.12",
        handler: "app.handler",
        memorySize: 99999,
        timeout: 3,
        environment: { A: "1" },
      },
    });
  });

  it("places the server's errors beside their field", () => {
    expect(createFieldOf("MemorySize")).toBe("memorySize");
    expect(createFieldOf("handler")).toBe("handler");
    expect(createFieldOf("zipFile")).toBe("code");
    expect(createFieldOf("runtime")).toBe("runtime");
    expect(createFieldOf("environment.Variables")).toBe("environment");
    expect(createFieldOf("role")).toBeUndefined();
    expect(createFieldOf(undefined)).toBeUndefined();
  });
});
