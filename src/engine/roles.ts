// Execution roles as data: per account (IAM is global, so not per region), served from memory for the
// hot path (every session-credential request evaluates one), the store being the source of truth.
// A function without a role runs as the built-in `vajra-function`, which allows nothing unless the
// operator creates a role of that name.

import { randomBytes } from "node:crypto";
import { VajraError, invalid } from "../core/errors.js";
import { parsePolicy, policyJson, type PolicyDocument } from "../core/iam-policy.js";
import type { RoleRecord } from "../core/types.js";
import type { Store } from "../store/store.js";

export const DEFAULT_ROLE_NAME = "vajra-function";
const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
/** AWS's RoleArn pattern (the Lambda API model's). */
const ROLE_ARN = /^arn:(aws[a-zA-Z-]*)?:iam::(\d{12}):role\/?([a-zA-Z_0-9+=,.@\-_/]+)$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export interface Role {
  record: RoleRecord;
  policy: PolicyDocument;
}

export function roleArn(account: string, name: string): string {
  return `arn:aws:iam::${account}:role/${name}`;
}

/** The name and account a role ARN names, or undefined when it is no role ARN. */
export function parseRoleArn(arn: string): { account: string; name: string } | undefined {
  const m = ROLE_ARN.exec(arn);
  if (m === null) return undefined;
  // A role path (`role/service/app`) names the role by its last segment, as IAM does.
  const name =
    (m[3] ?? "")
      .split("/")
      .filter((s) => s !== "")
      .pop() ?? "";
  return { account: m[2] ?? "", name };
}

function newRoleId(): string {
  return "AROA" + [...randomBytes(17)].map((b) => BASE32[b % 32]).join("");
}

export class RoleCatalog {
  private readonly roles = new Map<string, Role>();

  constructor(private readonly store: Store) {}

  async load(): Promise<void> {
    for (const r of await this.store.listRoles())
      this.roles.set(`${r.account}/${r.name}`, { record: r, policy: parsePolicy(r.policy) });
  }

  get(account: string, name: string): Role | undefined {
    return this.roles.get(`${account}/${name}`);
  }

  list(account: string): RoleRecord[] {
    return [...this.roles.values()]
      .map((r) => r.record)
      .filter((r) => r.account === account)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Creates the role, or replaces its policy (the role keeps its id: credentials stay valid). */
  async put(account: string, name: string, policy: unknown): Promise<{ role: RoleRecord; created: boolean }> {
    if (typeof name !== "string" || !ROLE_NAME.test(name))
      throw invalid("role name must be 1-64 characters of letters, digits and +=,.@_-", { field: "name" });
    const doc = parsePolicy(policy);
    const cur = this.get(account, name);
    const record: RoleRecord = {
      name,
      account,
      arn: roleArn(account, name),
      roleId: cur?.record.roleId ?? newRoleId(),
      policy: policyJson(doc),
      createdAt: cur?.record.createdAt ?? new Date().toISOString(),
    };
    await this.store.putRole(record);
    this.roles.set(`${account}/${name}`, { record, policy: doc });
    return { role: record, created: cur === undefined };
  }

  async delete(account: string, name: string): Promise<void> {
    if (this.get(account, name) === undefined)
      throw new VajraError("NotFound", `no role ${name} in account ${account}`);
    await this.store.deleteRole(account, name);
    this.roles.delete(`${account}/${name}`);
  }

  /**
   * The role ARN a deploy names (an ARN, or with `allowName` a plain role name), checked to exist in
   * the function's account; an unknown one is AWS's InvalidParameterValueException, nothing changed.
   */
  resolveForFunction(role: string, account: string, allowName: boolean): string {
    const fromName = allowName && ROLE_NAME.test(role) ? { account, name: role } : undefined;
    const ref = fromName ?? parseRoleArn(role);
    if (ref === undefined)
      throw invalid(`Role '${role}' is not a role ARN (arn:aws:iam::ACCOUNT:role/NAME)`, { field: "Role" });
    const exists =
      ref.account === account &&
      (ref.name === DEFAULT_ROLE_NAME || this.get(account, ref.name) !== undefined);
    if (!exists)
      throw invalid("The role defined for the function cannot be assumed by Lambda.", { field: "Role" });
    return fromName === undefined ? role : roleArn(account, ref.name);
  }
}
