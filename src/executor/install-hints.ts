// What a host lacks for each runtime family, with the exact Debian/Ubuntu command that installs it, for
// `vajra doctor`. Where the host has apt, its package lists choose between the distribution's package
// and the language's own installer (Debian 12 has golang-1.19 but not golang-1.21, and a rustc older
// than 1.70); without apt the distribution's package is named as is.

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { RUNTIMES, type RuntimeFamily, type RuntimeSpec } from "../core/runtimes.js";
import { compareVersions, homeVariable } from "./toolchains.js";

const execFileAsync = promisify(execFile);

/** Package name → the version apt would install (absent: apt knows no such package). */
export type AptCandidates = ReadonlyMap<string, string>;

export interface InstallHint {
  /** The one command to run. */
  command: string;
  /** What the command needs first, or another way. */
  note?: string;
  /** The Debian packages the command installs, when it is apt-get. */
  aptPackages?: string[];
}

/** The Debian package of a runtime, and the lowest package version that is enough. */
function debianPackage(spec: RuntimeSpec): { pkg: string; min?: string } | undefined {
  const v = spec.languageVersion;
  switch (spec.family) {
    case "python":
      return { pkg: `python${v}` };
    case "java":
      return { pkg: `openjdk-${v}-jdk-headless` };
    case "go":
      return { pkg: `golang-${v}` };
    case "rust":
      return { pkg: "rustc", min: v };
    case "dotnet":
      return { pkg: `dotnet-sdk-${v}.0` };
    case "nodejs":
    case "provided":
      return undefined;
  }
}

/** Whether apt can install `pkg` (at `min` or newer); with no apt information, assume it can. */
function aptHas(apt: AptCandidates | undefined, pkg: string, min?: string): boolean {
  if (apt === undefined) return true;
  const candidate = apt.get(pkg);
  if (candidate === undefined) return false;
  // "1.63.0+dfsg1-2" → "1.63.0"; an epoch ("1:…") is not part of the upstream version.
  const upstream = candidate.replace(/^\d+:/, "").split(/[+~-]/)[0] ?? candidate;
  return min === undefined || compareVersions(upstream, min) >= 0;
}

/** The exact command that makes `spec` available on a Debian/Ubuntu host whose apt knows `apt`. */
export function installHint(spec: RuntimeSpec, apt?: AptCandidates): InstallHint {
  const v = spec.languageVersion;
  const deb = debianPackage(spec);
  if (deb !== undefined && aptHas(apt, deb.pkg, deb.min)) {
    // Java's POJO handlers are mapped with Debian's Jackson (stream handlers run without it).
    const pkgs =
      spec.family === "rust"
        ? ["rustc", "cargo"]
        : spec.family === "java"
          ? [deb.pkg, "libjackson2-databind-java"]
          : [deb.pkg];
    return { command: `apt-get install -y ${pkgs.join(" ")}`, aptPackages: pkgs };
  }
  switch (spec.family) {
    case "python":
      return {
        command: `pyenv install ${v}`,
        note: `this release has no python${v} package; pyenv (https://github.com/pyenv/pyenv) builds it into ~/.pyenv/versions, where Vajra looks (or list a python${v} binary in VAJRA_PYTHON_PATHS)`,
      };
    case "nodejs":
      return { command: `vajra runtimes install nodejs${v}` };
    case "java":
      return {
        command: `apt-get install -y temurin-${v}-jdk`,
        note: `this release has no openjdk-${v}-jdk-headless; temurin comes from Adoptium's apt repository (https://adoptium.net/installation/linux/), or set ${homeVariable(spec.id)} to a JDK ${v}`,
      };
    case "go": {
      // Go's own installer for other versions; it lands in ~/sdk, where Vajra looks. From 1.21 the
      // first release of a minor version is named go1.N.0.
      const minor = Number(v.split(".")[1] ?? "0");
      const name = minor >= 21 ? `go${v}.0` : `go${v}`;
      return {
        command: `go install golang.org/dl/${name}@latest && ~/go/bin/${name} download`,
        note: `this release has no golang-${v}; the command needs any go (apt-get install -y golang-go), or set ${homeVariable(spec.id)} to a Go ${v} GOROOT`,
      };
    }
    case "rust":
      return {
        command: "rustup toolchain install stable",
        note: `this release's rustc is older than ${v}; rustup comes from https://rustup.rs (apt-get install -y rustup on Debian 13 and Ubuntu 24.04)`,
      };
    case "dotnet":
      return {
        command: `apt-get install -y dotnet-sdk-${v}.0`,
        note:
          "after adding Microsoft's package repository (https://learn.microsoft.com/dotnet/core/install/linux-debian), or set " +
          `${homeVariable(spec.id)} to a .NET ${v} SDK root`,
      };
    case "provided":
      return { command: "apt-get install -y nodejs", note: "custom runtimes need the node that runs Vajra" };
  }
}

/** The Debian packages the runtimes of the catalog could come from (asked of apt in one call). */
export function runtimePackages(): string[] {
  const out = new Set<string>();
  for (const spec of RUNTIMES) {
    const deb = debianPackage(spec);
    if (deb !== undefined) out.add(deb.pkg);
  }
  return [...out];
}

/** Parses `apt-cache policy A B …`: each known package's candidate version. */
export function parseAptPolicy(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let current: string | undefined;
  for (const line of text.split("\n")) {
    const head = /^(\S+):$/.exec(line);
    if (head !== null) {
      current = head[1];
      continue;
    }
    const cand = /^\s+Candidate:\s+(\S+)/.exec(line);
    if (cand !== null && current !== undefined && cand[1] !== "(none)") out.set(current, cand[1] ?? "");
  }
  return out;
}

/** What this host's apt could install, or undefined when there is no apt (or it does not answer). */
export async function aptCandidates(pkgs: string[] = runtimePackages()): Promise<AptCandidates | undefined> {
  try {
    const { stdout } = await execFileAsync("apt-cache", ["policy", ...pkgs], {
      timeout: 10_000,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C" },
    });
    return parseAptPolicy(stdout);
  } catch {
    return undefined;
  }
}

export interface FamilyReport {
  family: RuntimeFamily;
  available: Array<{ id: string; version?: string }>;
  missing: Array<{ id: string } & InstallHint>;
}

/** Per family, the runtimes found and, for each one missing, how to install it. */
export function familyReports(
  found: ReadonlyMap<string, { available: boolean; version?: string }>,
  apt?: AptCandidates,
): FamilyReport[] {
  const families = new Map<RuntimeFamily, FamilyReport>();
  for (const spec of RUNTIMES) {
    let report = families.get(spec.family);
    if (report === undefined) {
      report = { family: spec.family, available: [], missing: [] };
      families.set(spec.family, report);
    }
    const info = found.get(spec.id);
    if (info?.available === true)
      report.available.push({
        id: spec.id,
        ...(info.version === undefined ? {} : { version: info.version }),
      });
    else report.missing.push({ id: spec.id, ...installHint(spec, apt) });
  }
  return [...families.values()];
}
