// Lambda API routes for function settings: reserved and provisioned concurrency, tags, the event invoke
// config, function URL configs and the (empty) code signing config.

import type { FastifyInstance, FastifyRequest } from "fastify";
import { VajraError, invalid } from "../../core/errors.js";
import { functionArn } from "../../core/lambda-format.js";
import type { CorsConfig, EventInvokeConfig } from "../../core/types.js";
import type { Platform } from "../../engine/platform.js";
import { policyDocument, statementDocument, validateStatement } from "../../core/policy.js";
import { corsFromAws, eventInvokeConfigShape, provisionedShape, urlShape } from "./config-shapes.js";
import { bodyJson, latestOnly, qualified, unsupported, type FnParams } from "./request.js";
import { functionUrlBase, type PublicAddress } from "../url-base.js";

export function registerConfigRoutes(scope: FastifyInstance, platform: Platform, pub: PublicAddress): void {
  // Resource-based policy: AddPermission / GetPolicy / RemovePermission ($LATEST, i.e. the function).
  const policyName = (req: FastifyRequest<FnParams>): string => {
    const { name, qualifier } = qualified(req.params.fn, req.query.Qualifier);
    if (qualifier !== undefined && qualifier !== "$LATEST")
      throw unsupported("A resource policy on a version or alias");
    return name;
  };
  scope.post<FnParams>("/2015-03-31/functions/:fn/policy", async (req, reply) => {
    const name = policyName(req);
    const b = bodyJson(req);
    if (b.EventSourceToken !== undefined || b.PrincipalOrgID !== undefined)
      throw unsupported("EventSourceToken / PrincipalOrgID");
    const statement = validateStatement({
      sid: b.StatementId,
      action: b.Action,
      principal: b.Principal,
      sourceArn: b.SourceArn,
      sourceAccount: b.SourceAccount,
    });
    const added = await platform.settings.addPermission(
      name,
      statement,
      typeof b.RevisionId === "string" ? b.RevisionId : undefined,
    );
    return reply.code(201).send({ Statement: JSON.stringify(statementDocument(name, added)) });
  });
  scope.get<FnParams>("/2015-03-31/functions/:fn/policy", (req) => {
    const name = policyName(req);
    const fn = platform.getFunction(name);
    if ((fn.policy ?? []).length === 0)
      throw new VajraError("FunctionNotFound", "The resource you requested does not exist.");
    return { Policy: JSON.stringify(policyDocument(name, fn.policy ?? [])), RevisionId: fn.revisionId };
  });
  scope.delete<{ Params: { fn: string; sid: string }; Querystring: { Qualifier?: string } }>(
    "/2015-03-31/functions/:fn/policy/:sid",
    async (req, reply) => {
      const { name, qualifier } = qualified(req.params.fn, req.query.Qualifier);
      if (qualifier !== undefined && qualifier !== "$LATEST")
        throw unsupported("A resource policy on a version or alias");
      await platform.settings.removePermission(name, req.params.sid);
      return reply.code(204).send();
    },
  );

  // Reserved concurrency (the function's own pool of concurrent executions; 0 throttles everything).
  const setReserved = async (fn: string, n: number | null): Promise<void> => {
    await platform.deploy(
      { name: latestOnly(fn), reservedConcurrency: n },
      { mode: "update", checkHandler: false },
    );
  };
  scope.put<FnParams>("/2017-10-31/functions/:fn/concurrency", async (req) => {
    const n = bodyJson(req).ReservedConcurrentExecutions;
    if (typeof n !== "number") throw invalid("ReservedConcurrentExecutions is required and must be a number");
    await setReserved(req.params.fn, n);
    return { ReservedConcurrentExecutions: n };
  });
  scope.get<FnParams>("/2019-09-30/functions/:fn/concurrency", (req) => {
    const n = platform.getFunction(latestOnly(req.params.fn)).reservedConcurrency;
    return n === null ? {} : { ReservedConcurrentExecutions: n };
  });
  scope.delete<FnParams>("/2017-10-31/functions/:fn/concurrency", async (req, reply) => {
    await setReserved(req.params.fn, null);
    return reply.code(204).send();
  });

  // Provisioned concurrency (a version or alias kept warm); the GET with List=ALL lists them all.
  type PcParams = { Params: { fn: string }; Querystring: { Qualifier?: string; List?: string } };
  const pcPath = "/2019-09-30/functions/:fn/provisioned-concurrency";
  const pcQualifier = (req: FastifyRequest<PcParams>): { name: string; qualifier: string } => {
    const { name, qualifier } = qualified(req.params.fn, req.query.Qualifier);
    if (qualifier === undefined) throw invalid("Qualifier is required: a version number or an alias");
    return { name, qualifier };
  };
  scope.put<PcParams>(pcPath, async (req, reply) => {
    const { name, qualifier } = pcQualifier(req);
    const n = bodyJson(req).ProvisionedConcurrentExecutions;
    if (typeof n !== "number")
      throw invalid("ProvisionedConcurrentExecutions is required and must be a number");
    return reply
      .code(202)
      .send(provisionedShape(await platform.putProvisionedConcurrency(name, qualifier, n)));
  });
  scope.get<PcParams>(pcPath, (req) => {
    if (req.query.List !== undefined) {
      const name = latestOnly(req.params.fn);
      return {
        ProvisionedConcurrencyConfigs: platform
          .listProvisioned(name)
          .map((p) => ({ FunctionArn: functionArn(name, p.qualifier), ...provisionedShape(p) })),
      };
    }
    const { name, qualifier } = pcQualifier(req);
    return provisionedShape(platform.provisionedView(name, qualifier));
  });
  scope.delete<PcParams>(pcPath, async (req, reply) => {
    const { name, qualifier } = pcQualifier(req);
    await platform.deleteProvisionedConcurrency(name, qualifier);
    return reply.code(204).send();
  });

  // Tags, addressed by the function's ARN.
  type ArnParams = { Params: { arn: string }; Querystring: { tagKeys?: string | string[] } };
  scope.get<ArnParams>("/2017-03-31/tags/:arn", (req) => ({
    Tags: platform.getFunction(latestOnly(req.params.arn)).tags ?? {},
  }));
  scope.post<ArnParams>("/2017-03-31/tags/:arn", async (req, reply) => {
    const tags = bodyJson(req).Tags;
    if (typeof tags !== "object" || tags === null)
      throw invalid("Tags is required: an object of key/value strings");
    await platform.settings.changeTags(latestOnly(req.params.arn), tags as Record<string, string>);
    return reply.code(204).send();
  });
  scope.delete<ArnParams>("/2017-03-31/tags/:arn", async (req, reply) => {
    const keys = req.query.tagKeys;
    if (keys === undefined) throw invalid("tagKeys is required");
    await platform.settings.changeTags(latestOnly(req.params.arn), {}, Array.isArray(keys) ? keys : [keys]);
    return reply.code(204).send();
  });

  // Event invoke config: retries and maximum age of Event invocations, and their destinations.
  const eicPath = "/2019-09-25/functions/:fn/event-invoke-config";
  const eicName = (req: FastifyRequest<FnParams>): string => {
    const { name, qualifier } = qualified(req.params.fn, req.query.Qualifier);
    if (qualifier !== undefined && qualifier !== "$LATEST")
      throw unsupported("An event invoke config for a version or alias");
    return name;
  };
  const eicChange = (b: Record<string, unknown>): Omit<EventInvokeConfig, "lastModified"> => {
    const dest = (b.DestinationConfig ?? {}) as {
      OnSuccess?: { Destination?: unknown };
      OnFailure?: { Destination?: unknown };
    };
    const out: Record<string, unknown> = {};
    if (b.MaximumRetryAttempts !== undefined) out.maximumRetryAttempts = b.MaximumRetryAttempts;
    if (b.MaximumEventAgeInSeconds !== undefined) out.maximumEventAgeInSeconds = b.MaximumEventAgeInSeconds;
    if (dest.OnSuccess?.Destination !== undefined) out.onSuccess = dest.OnSuccess.Destination;
    if (dest.OnFailure?.Destination !== undefined) out.onFailure = dest.OnFailure.Destination;
    return out; // types and ranges are checked by the engine
  };
  scope.put<FnParams>(eicPath, async (req) => {
    const name = eicName(req);
    return eventInvokeConfigShape(
      name,
      await platform.settings.setEventInvokeConfig(name, eicChange(bodyJson(req))),
    );
  });
  scope.post<FnParams>(eicPath, async (req) => {
    const name = eicName(req);
    return eventInvokeConfigShape(
      name,
      await platform.settings.setEventInvokeConfig(name, eicChange(bodyJson(req)), true),
    );
  });
  scope.get<FnParams>(eicPath, (req) => {
    const name = eicName(req);
    const c = platform.getFunction(name).eventInvokeConfig;
    if (c === undefined)
      throw new VajraError(
        "FunctionNotFound",
        `The function ${functionArn(name)} doesn't have an EventInvokeConfig`,
      );
    return eventInvokeConfigShape(name, c);
  });
  scope.delete<FnParams>(eicPath, async (req, reply) => {
    await platform.settings.setEventInvokeConfig(eicName(req), null);
    return reply.code(204).send();
  });
  scope.get<FnParams>(`${eicPath}/list`, (req) => {
    const name = latestOnly(req.params.fn);
    const c = platform.getFunction(name).eventInvokeConfig;
    return { FunctionEventInvokeConfigs: c === undefined ? [] : [eventInvokeConfigShape(name, c)] };
  });

  // Function URLs: the configuration here; requests to the URL are served by function-url-routes.ts.
  const urlPath = "/2021-10-31/functions/:fn/url";
  const urlName = (req: FastifyRequest<FnParams>): string => {
    const { name, qualifier } = qualified(req.params.fn, req.query.Qualifier);
    if (qualifier !== undefined && qualifier !== "$LATEST")
      throw unsupported("A function URL for a version or alias");
    return name;
  };
  const urlChange = (b: Record<string, unknown>): { authType?: string; cors?: CorsConfig | null } => {
    const out: { authType?: string; cors?: CorsConfig | null } = {};
    if (b.AuthType !== undefined)
      out.authType = typeof b.AuthType === "string" ? b.AuthType : JSON.stringify(b.AuthType);
    if (b.InvokeMode !== undefined && b.InvokeMode !== "BUFFERED")
      throw unsupported(`InvokeMode ${JSON.stringify(b.InvokeMode)}`);
    if (b.Cors !== undefined) out.cors = corsFromAws(b.Cors);
    return out;
  };
  const base = (req: FastifyRequest): string => functionUrlBase(req, pub);
  scope.post<FnParams>(urlPath, async (req, reply) => {
    const name = urlName(req);
    const b = bodyJson(req);
    if (b.AuthType === undefined) throw invalid("AuthType is required: NONE or AWS_IAM");
    const url = await platform.settings.setFunctionUrl(name, urlChange(b), true);
    return reply.code(201).send(urlShape(name, url, base(req), false));
  });
  scope.put<FnParams>(urlPath, async (req) => {
    const name = urlName(req);
    return urlShape(
      name,
      await platform.settings.setFunctionUrl(name, urlChange(bodyJson(req))),
      base(req),
      true,
    );
  });
  scope.get<FnParams>(urlPath, (req) => {
    const name = urlName(req);
    const url = platform.getFunction(name).url;
    if (url === undefined)
      throw new VajraError(
        "FunctionNotFound",
        `The resource you requested does not exist: no function URL for ${functionArn(name)}`,
      );
    return urlShape(name, url, base(req), true);
  });
  scope.delete<FnParams>(urlPath, async (req, reply) => {
    await platform.settings.setFunctionUrl(urlName(req), null);
    return reply.code(204).send();
  });
  scope.get<FnParams>("/2021-10-31/functions/:fn/urls", (req) => {
    const name = latestOnly(req.params.fn);
    const url = platform.getFunction(name).url;
    return { FunctionUrlConfigs: url === undefined ? [] : [urlShape(name, url, base(req), true)] };
  });

  // Code signing is not enforced by Vajra: every function reports no signing config, as AWS does for most.
  scope.get<FnParams>("/2020-06-30/functions/:fn/code-signing-config", (req) => {
    const name = latestOnly(req.params.fn);
    platform.getFunction(name);
    return { CodeSigningConfigArn: "", FunctionName: name };
  });
}
