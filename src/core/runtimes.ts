// The runtime catalog as data: every runtime id Vajra accepts, its family, the language version it
// needs, how a package of it is built and AWS's deprecation date. Where an id's interpreter or
// toolchain is found on the host is the executor's concern (runtime-discovery.ts, toolchains.ts).

import { VajraError } from "./errors.js";

export type RuntimeFamily = "python" | "nodejs" | "java" | "go" | "rust" | "dotnet" | "provided";

/**
 * How a deployed package becomes runnable:
 * - "none": the upload runs as it is;
 * - "deps": as it is, after installing declared dependencies that are not vendored (pip, npm);
 * - "compile": sources are compiled by the family's toolchain (a prebuilt artefact skips it).
 */
export type BuildKind = "none" | "deps" | "compile";

export interface RuntimeSpec {
  id: string;
  family: RuntimeFamily;
  /** The language or toolchain version this id needs: python "3.11", node "20", java "17", go "1.21", rust "1.70" (minimum). */
  languageVersion: string;
  build: BuildKind;
  /** AWS's deprecation date (ISO); from that day a deploy warns. Undefined: not scheduled. */
  deprecatedOn?: string;
  /** `AWS_EXECUTION_ENV` value ("" when AWS has no such runtime). */
  executionEnv: string;
}

function python(minor: number, deprecatedOn?: string): RuntimeSpec {
  const v = `3.${minor}`;
  return {
    id: `python${v}`,
    family: "python",
    languageVersion: v,
    build: "deps",
    ...(deprecatedOn === undefined ? {} : { deprecatedOn }),
    executionEnv: `AWS_Lambda_python${v}`,
  };
}

function nodejs(major: number, deprecatedOn?: string): RuntimeSpec {
  return {
    id: `nodejs${major}.x`,
    family: "nodejs",
    languageVersion: String(major),
    build: "deps",
    ...(deprecatedOn === undefined ? {} : { deprecatedOn }),
    executionEnv: `AWS_Lambda_nodejs${major}.x`,
  };
}

function compiled(
  family: RuntimeFamily,
  id: string,
  languageVersion: string,
  aws: boolean,
  deprecatedOn?: string,
): RuntimeSpec {
  return {
    id,
    family,
    languageVersion,
    build: "compile",
    ...(deprecatedOn === undefined ? {} : { deprecatedOn }),
    executionEnv: aws ? `AWS_Lambda_${id}` : "",
  };
}

/** Custom runtimes: the package's own executable `bootstrap` speaks the Runtime API (no AWS_EXECUTION_ENV). */
function provided(id: string, deprecatedOn?: string): RuntimeSpec {
  return {
    id,
    family: "provided",
    languageVersion: "",
    build: "none",
    ...(deprecatedOn === undefined ? {} : { deprecatedOn }),
    executionEnv: "",
  };
}

export const RUNTIMES: readonly RuntimeSpec[] = [
  python(8, "2024-10-14"),
  python(9, "2025-12-15"),
  python(10),
  python(11),
  python(12),
  python(13),
  nodejs(16, "2024-06-12"),
  nodejs(18, "2025-09-01"),
  nodejs(20, "2026-04-30"),
  nodejs(22),
  compiled("java", "java11", "11", true),
  compiled("java", "java17", "17", true),
  compiled("java", "java21", "21", true),
  // Go and Rust have no AWS managed runtime any more (AWS runs them as provided.*); these ids name the toolchain.
  compiled("go", "go1.19", "1.19", false),
  compiled("go", "go1.20", "1.20", false),
  compiled("go", "go1.21", "1.21", false),
  compiled("rust", "rust1.70", "1.70", false),
  compiled("dotnet", "dotnet6", "6", true, "2024-12-20"),
  compiled("dotnet", "dotnet8", "8", true, "2026-11-10"),
  provided("provided", "2024-01-08"),
  provided("provided.al2"),
  provided("provided.al2023"),
];

const BY_ID = new Map(RUNTIMES.map((r) => [r.id, r]));

/** Whether AWS has deprecated the runtime by `now`: it still runs here, with a warning at deploy. */
export function isDeprecated(spec: RuntimeSpec, now: Date = new Date()): boolean {
  return spec.deprecatedOn !== undefined && now.toISOString().slice(0, 10) >= spec.deprecatedOn;
}

/** Accepts AWS ids and the short forms (`nodejs20`, `java17`, `go1.21`). */
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

/** Families whose package runs through its own `bootstrap` executable (built or prebuilt). */
export function runsBootstrap(family: RuntimeFamily): boolean {
  return family === "provided" || family === "go" || family === "rust" || family === "dotnet";
}
