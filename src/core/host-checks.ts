// The report `vajra doctor` prints and `GET /doctor` answers: one check per piece of the sandbox and
// per runtime family, with what to install when it fails. Computed by src/executor/host-check.ts (on
// the server's host for the route, on the CLI's host for a local doctor); shown by the CLI and the
// console from this one shape, so their pass/warn/fail marks cannot disagree.

export interface HostCheck {
  name: string;
  /** "sandbox" (the default): a piece of isolation; "runtime": one runtime family. */
  group?: "sandbox" | "runtime";
  ok: boolean;
  /** Failed and essential: functions cannot run isolated, and `vajra doctor` exits 1. Others warn. */
  essential?: boolean;
  detail: string;
  fix?: string;
  /** A runtime family's missing runtimes, each with the exact command that installs it. */
  missing?: Array<{ id: string; command: string; note?: string }>;
  /** The Debian/Ubuntu packages that install what this check misses. */
  aptPackages?: string[];
}

/** pass: present; fail: missing and essential (doctor exits 1); warn: missing, functions still run. */
export type CheckStatus = "pass" | "warn" | "fail";

export function checkStatus(c: HostCheck): CheckStatus {
  return c.ok ? "pass" : c.essential === true ? "fail" : "warn";
}

export interface DoctorReport {
  /** No essential check failed. */
  ok: boolean;
  checks: Array<HostCheck & { status: CheckStatus }>;
  /** One apt-get line for the Debian packages of every failed check ("" when none). */
  aptInstall: string;
}

export function doctorReport(checks: HostCheck[]): DoctorReport {
  const apt = [...new Set(checks.filter((k) => !k.ok).flatMap((k) => k.aptPackages ?? []))];
  return {
    ok: checks.every((c) => checkStatus(c) !== "fail"),
    checks: checks.map((c) => ({ ...c, status: checkStatus(c) })),
    aptInstall: apt.length === 0 ? "" : `apt-get install -y ${apt.join(" ")}`,
  };
}
