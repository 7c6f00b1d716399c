// The runtime catalog as data: every runtime id Vajra accepts, its family and AWS status. Where an
// id's interpreter is found on the host is the executor's concern (runtime-discovery.ts).

import { VajraError } from "./errors.js";

export type RuntimeFamily = "python" | "nodejs" | "provided";

export interface RuntimeSpec {
  id: string;
  family: RuntimeFamily;
  /** Major.minor of the interpreter this id needs (python "3.11", node "20"). */
  languageVersion: string;
  /** AWS has deprecated this runtime: it still runs, with a warning at deploy. */
  deprecated: boolean;
  /** `AWS_EXECUTION_ENV` value. */
  executionEnv: string;
}

function python(minor: number, deprecated: boolean): RuntimeSpec {
  const v = `3.${minor}`;
  return {
    id: `python${v}`,
    family: "python",
    languageVersion: v,
    deprecated,
    executionEnv: `AWS_Lambda_python${v}`,
  };
}

function nodejs(major: number, deprecated: boolean): RuntimeSpec {
  return {
    id: `nodejs${major}.x`,
    family: "nodejs",
    languageVersion: String(major),
    deprecated,
    executionEnv: `AWS_Lambda_nodejs${major}.x`,
  };
}

/** Custom runtimes: the package's own executable `bootstrap` speaks the Runtime API (no AWS_EXECUTION_ENV). */
function provided(id: string, deprecated: boolean): RuntimeSpec {
  return { id, family: "provided", languageVersion: "", deprecated, executionEnv: "" };
}

export const RUNTIMES: readonly RuntimeSpec[] = [
  python(8, true),
  python(9, false),
  python(10, false),
  python(11, false),
  python(12, false),
  python(13, false),
  nodejs(20, false),
  provided("provided", true),
  provided("provided.al2", false),
  provided("provided.al2023", false),
];

const BY_ID = new Map(RUNTIMES.map((r) => [r.id, r]));

/** Accepts AWS ids and the short forms (`nodejs20`). */
export function resolveRuntimeId(id: string): RuntimeSpec {
  const direct = BY_ID.get(id) ?? BY_ID.get(/^nodejs\d+$/.test(id) ? `${id}.x` : id);
  if (direct === undefined) {
    throw new VajraError(
      "UnknownRuntime",
      `unknown runtime '${id}'; supported runtimes: ${RUNTIMES.map((r) => r.id).join(", ")}`,
      { details: { field: "runtime" } },
    );
  }
  return direct;
}
