// Function settings that are metadata, not code or configuration: tags, the event invoke config and the
// function URL. Changing them makes no new revision and restarts no instance; the store is written first.

import { randomBytes } from "node:crypto";
import { VajraError, invalid } from "../core/errors.js";
import { functionArn } from "../core/lambda-format.js";
import { validateEventInvokeConfig, validateTags } from "../core/limits.js";
import type { PolicyStatement } from "../core/policy.js";
import type { CorsConfig, EventInvokeConfig, FunctionConfig, FunctionUrlConfig } from "../core/types.js";
import type { Store } from "../store/store.js";

export interface SettingsContext {
  store: Store;
  /** The in-memory functions, kept in step with the store. */
  functions: Map<string, FunctionConfig>;
  getFunction: (name: string) => FunctionConfig;
  /** Runs a change after any other change to the same function. */
  serialize: <T>(name: string, fn: () => Promise<T>) => Promise<T>;
  /** Checks a destination (that a function destination exists); resolves the text to store. */
  checkDestination?: (value: unknown, field: string, previous?: string) => string;
}

export class FunctionSettings {
  constructor(private readonly ctx: SettingsContext) {}

  /** Adds a resource policy statement (AddPermission); a statement id may be used once. */
  addPermission(
    name: string,
    statement: PolicyStatement,
    expectedRevisionId?: string,
  ): Promise<PolicyStatement> {
    return this.ctx.serialize(name, async () => {
      const fn = this.ctx.getFunction(name);
      if (expectedRevisionId !== undefined && expectedRevisionId !== fn.revisionId) {
        throw new VajraError(
          "PreconditionFailed",
          "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id",
        );
      }
      if ((fn.policy ?? []).some((s) => s.sid === statement.sid)) {
        throw new VajraError(
          "AlreadyExists",
          `The statement id (${statement.sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`,
        );
      }
      const updated: FunctionConfig = { ...fn, policy: [...(fn.policy ?? []), statement] };
      await this.ctx.store.putFunction(updated);
      this.ctx.functions.set(name, updated);
      return statement;
    });
  }

  removePermission(name: string, sid: string): Promise<void> {
    return this.ctx.serialize(name, async () => {
      const fn = this.ctx.getFunction(name);
      if (!(fn.policy ?? []).some((s) => s.sid === sid)) {
        throw new VajraError("FunctionNotFound", `Statement ${sid} is not found in resource policy.`);
      }
      const updated: FunctionConfig = { ...fn, policy: (fn.policy ?? []).filter((s) => s.sid !== sid) };
      await this.ctx.store.putFunction(updated);
      this.ctx.functions.set(name, updated);
    });
  }

  /** Adds or replaces tags (`remove` lists keys to drop). Tags are metadata: no new revision, no restart. */
  changeTags(
    name: string,
    add: Record<string, string>,
    remove: readonly string[] = [],
  ): Promise<Record<string, string>> {
    return this.ctx.serialize(name, async () => {
      const fn = this.ctx.getFunction(name);
      const tags = { ...(fn.tags ?? {}), ...validateTags(add) };
      for (const k of remove) delete tags[k];
      validateTags(tags);
      const updated = { ...fn, tags };
      await this.ctx.store.putFunction(updated);
      this.ctx.functions.set(name, updated);
      return tags;
    });
  }

  /**
   * Sets (replace) or merges (update) the function's event invoke config; null removes it. Metadata only:
   * no new revision, no restart. The async queue reads it for every attempt.
   */
  setEventInvokeConfig(
    name: string,
    change: Omit<EventInvokeConfig, "lastModified"> | null,
    merge = false,
  ): Promise<EventInvokeConfig | undefined> {
    return this.ctx.serialize(name, async () => {
      const fn = this.ctx.getFunction(name);
      let next: EventInvokeConfig | undefined;
      if (change !== null) {
        validateEventInvokeConfig(change);
        const checked = { ...change };
        const prev = fn.eventInvokeConfig;
        for (const k of ["onSuccess", "onFailure"] as const) {
          const v = checked[k];
          const field = `DestinationConfig.${k === "onSuccess" ? "OnSuccess" : "OnFailure"}.Destination`;
          if (v !== undefined) checked[k] = this.ctx.checkDestination?.(v, field, prev?.[k]) ?? v;
        }
        next = { ...(merge ? prev : {}), ...checked, lastModified: new Date().toISOString() };
      } else if (fn.eventInvokeConfig === undefined) {
        throw new VajraError(
          "FunctionNotFound",
          `The function ${functionArn(name)} doesn't have an EventInvokeConfig`,
        );
      }
      const updated: FunctionConfig = { ...fn };
      if (next === undefined) delete updated.eventInvokeConfig;
      else updated.eventInvokeConfig = next;
      await this.ctx.store.putFunction(updated);
      this.ctx.functions.set(name, updated);
      return next;
    });
  }

  /** Creates (create = true), updates or deletes (null) the function URL. Metadata only: no restart. */
  setFunctionUrl(
    name: string,
    change: { authType?: string; cors?: CorsConfig | null } | null,
    create = false,
  ): Promise<FunctionUrlConfig | undefined> {
    return this.ctx.serialize(name, async () => {
      const fn = this.ctx.getFunction(name);
      const cur = fn.url;
      if (change === null || !create) {
        if (cur === undefined)
          throw new VajraError(
            "FunctionNotFound",
            `The resource you requested does not exist: no function URL for ${functionArn(name)}`,
          );
      } else if (cur !== undefined) {
        throw new VajraError(
          "AlreadyExists",
          `Failed to create function url config for [functionArn = ${functionArn(name)}]. Error message:  FunctionUrlConfig exists for this Lambda function`,
        );
      }
      let next: FunctionUrlConfig | undefined;
      if (change !== null) {
        const authType = change.authType ?? cur?.authType;
        if (authType !== "NONE" && authType !== "AWS_IAM")
          throw invalid(`AuthType must be NONE or AWS_IAM; got ${JSON.stringify(authType)}`, {
            field: "AuthType",
          });
        const now = new Date().toISOString();
        next = {
          urlId: cur?.urlId ?? randomBytes(16).toString("hex"),
          authType,
          createdAt: cur?.createdAt ?? now,
          lastModified: now,
        };
        const cors = change.cors === undefined ? cur?.cors : change.cors;
        if (cors !== null && cors !== undefined) next.cors = cors;
      }
      const updated: FunctionConfig = { ...fn };
      if (next === undefined) delete updated.url;
      else updated.url = next;
      await this.ctx.store.putFunction(updated);
      this.ctx.functions.set(name, updated);
      return next;
    });
  }

  /** The function a URL id belongs to. */
  functionForUrl(urlId: string): FunctionConfig | undefined {
    for (const fn of this.ctx.functions.values()) if (fn.url?.urlId === urlId) return fn;
    return undefined;
  }
}
