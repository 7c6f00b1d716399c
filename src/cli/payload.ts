// Reads and validates the event for `vajra invoke`. The payload is checked to be JSON here, so a typo
// is reported before anything is sent, but the bytes sent are exactly the user's (never re-serialized).

import { readFile } from "node:fs/promises";
import { UsageError } from "./errors.js";

/** The standard input as the invoke command sees it. */
export interface StdinSource {
  /** True when stdin carries data worth reading implicitly (a shell pipe or a redirected file). */
  hasData: boolean;
  read(): Promise<Buffer>;
}

/** Lambda's console and CLI send `{}` when no event is given. */
export const EMPTY_EVENT = "{}";

/**
 * Resolves the payload from `--payload JSON`, `--payload @file`, `--payload -` (stdin), or implicitly
 * from piped stdin when no --payload is given; otherwise `{}`.
 */
export async function resolvePayload(option: string | undefined, stdin: StdinSource): Promise<Buffer> {
  if (option === undefined) {
    if (!stdin.hasData) return Buffer.from(EMPTY_EVENT);
    return validate(await stdin.read(), "the payload read from stdin", true);
  }
  if (option === "-") return validate(await stdin.read(), "the payload read from stdin", true);
  if (option.startsWith("@")) {
    const path = option.slice(1);
    if (path === "") throw new UsageError("--payload @ needs a file name, e.g. --payload @event.json");
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "no such file" : (err as Error).message;
      throw new UsageError(`cannot read the payload file ${path}: ${why}`);
    }
    return validate(bytes, `the payload file ${path}`, false);
  }
  return validate(Buffer.from(option), "--payload", false);
}

function validate(bytes: Buffer, what: string, emptyMeansDefault: boolean): Buffer {
  const text = bytes.toString("utf8");
  if (text.trim() === "") {
    if (emptyMeansDefault) return Buffer.from(EMPTY_EVENT);
    throw new UsageError(`${what} is empty; pass a JSON document such as '{}'`, "InvalidPayload");
  }
  try {
    JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} is not valid JSON: ${(err as Error).message}`, "InvalidPayload");
  }
  return bytes;
}
