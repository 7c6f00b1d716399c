// `vajra server`: opens the Platform, authenticates every request, serves the native API, and shuts
// down gracefully on SIGINT/SIGTERM (stop accepting, let in-flight invocations finish within a
// bound, stop every instance, flush records).

import { readFileSync } from "node:fs";
import { join } from "node:path";
import Fastify, { LogController, type FastifyInstance } from "fastify";
import { VajraError } from "../core/errors.js";
import { Platform, type PlatformOptions } from "../engine/platform.js";
import type { ExternalS3Options } from "../engine/code-fetch.js";
import { ADMIN_KEY_FILE, Authenticator, ensureAdminKey } from "./auth.js";
import { sendError, toVajraError } from "./http-errors.js";
import { AccessKeys, registerKeyRoutes } from "./access-keys.js";
import { registerRoleRoutes } from "./role-routes.js";
import { URL_PREFIX, registerFunctionUrlRoutes } from "./function-url-routes.js";
import { isLambdaPath, lambdaNotFound, registerLambdaApi } from "./lambda/routes.js";
import { registerNativeRoutes } from "./native-routes.js";
import { registerNetworkRoutes } from "./network-routes.js";
import { registerFunctionSettingsRoutes } from "./function-settings-routes.js";
import { useServerScope } from "./request-scope.js";
import { isStsPath, registerStsRoutes } from "./sts-routes.js";
import { gateFunctionRequest, startFunctionEndpoint } from "./function-endpoint.js";
import { isS3Path, registerS3Routes } from "./s3-routes.js";
import { registerScheduleRoutes } from "./schedule-routes.js";
import { registerBudgetRoutes } from "./budget-routes.js";
import { registerStorageTriggerRoutes } from "./storage-trigger-routes.js";
import { isStorageWebhookPath, registerStorageWebhookRoutes } from "./storage-webhook-routes.js";
import { registerRouteRoutes } from "./route-routes.js";
import { isConsolePath, registerConsoleRoutes } from "./console-routes.js";
import { registerApiKeyRoutes } from "./api-key-routes.js";
import { isSessionSignIn, registerSessionRoutes } from "./session-routes.js";
import { registerDoctorRoutes } from "./doctor-routes.js";
import { startPublicListener } from "./public-server.js";
import { setPublicAddress, type PublicAddress } from "./url-base.js";
import { registerUrlConfigRoutes } from "./url-config-routes.js";
import { isMetricsScrape, registerMetricsRoutes } from "./metrics-routes.js";
import { registerTriggerRoutes } from "./trigger-routes.js";
import { registerLogRoutes } from "./logs-routes.js";
import { registerCostRoutes } from "./cost-routes.js";
import { registerRecommendationRoutes } from "./cost-recommend-routes.js";
import { LOGS_PREFIX, isLogsRequest, registerCloudWatchLogsRoutes } from "./cloudwatch-logs-routes.js";
import { SCHEDULER_PREFIX, registerSchedulerRoutes, rewriteSchedulerUrl } from "./scheduler-routes.js";

export interface ServerOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  keepAliveSeconds?: number;
  accountConcurrency?: number;
  /** Freeze idle instances (default true). */
  freezeIdle?: boolean;
  /** The server's region (default us-east-1): ARNs of the native API; the CLI's profile region. */
  region?: string;
  /** The account id that owns functions and layers (default 000000000000). */
  accountId?: string;
  /** An S3-compatible store to fetch Code.S3Bucket/S3Key from (default: Vajra's own /_s3). */
  codeS3?: ExternalS3Options;
  /** Network mode of functions that do not name one (default none). */
  defaultNetwork?: string;
  /** A bearer token that may read GET /metrics (besides API keys); default VAJRA_METRICS_TOKEN. */
  metricsToken?: string;
  /** Collect metrics (default true; VAJRA_METRICS=off turns them off). */
  metrics?: boolean;
  /** Size cap of the log store in MB (default 1024). */
  logMaxMb?: number;
  /** Port of the public listener (HTTP routes, function URLs); none by default (VAJRA_PUBLIC_PORT). */
  publicPort?: number;
  /** Its host (default VAJRA_PUBLIC_HOST, else the admin host). */
  publicHost?: string;
  /** OTLP/HTTP endpoint for invocation traces (default OTEL_EXPORTER_OTLP_ENDPOINT; unset: off). */
  otlpEndpoint?: string;
}

export const DEFAULT_PORT = 8700;
const SHUTDOWN_GRACE_MS = 10_000;

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      version?: string;
    };
    return pkg.version ?? "0.0.0";
  } catch {
    return "0.0.0";
  }
}

export interface RunningServer {
  app: FastifyInstance;
  platform: Platform;
  url: string;
  /** The public listener's URL, when it was asked for. */
  publicUrl?: string;
  close(): Promise<void>;
}

export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const app = Fastify({
    logger: { level: process.env.VAJRA_LOG_LEVEL ?? "info" },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 1024 * 1024,
    forceCloseConnections: "idle",
    // The AWS CLI asks for `/2015-03-31/functions/` (trailing slash) when listing.
    routerOptions: { ignoreTrailingSlash: true },
    // The EventBridge Scheduler API shares the native /schedules paths: SigV4 for `scheduler` picks it.
    // CloudWatch Logs calls (POST / with X-Amz-Target) go to their own routes too.
    rewriteUrl: (req) => (isLogsRequest(req) ? `${LOGS_PREFIX}${req.url ?? "/"}` : rewriteSchedulerUrl(req)),
  });
  const platformOpts: PlatformOptions = {
    onWarning: (m) => app.log.warn(m),
    onError: (err) => app.log.error(err),
  };
  if (opts.dataDir !== undefined) platformOpts.dataDir = opts.dataDir;
  if (opts.keepAliveSeconds !== undefined) platformOpts.keepAliveSeconds = opts.keepAliveSeconds;
  if (opts.accountConcurrency !== undefined) platformOpts.accountConcurrency = opts.accountConcurrency;
  if (opts.freezeIdle !== undefined) platformOpts.freezeIdle = opts.freezeIdle;
  if (opts.region !== undefined) platformOpts.region = opts.region;
  if (opts.accountId !== undefined) platformOpts.accountId = opts.accountId;
  if (opts.codeS3 !== undefined) platformOpts.codeS3 = opts.codeS3;
  if (opts.defaultNetwork !== undefined) platformOpts.defaultNetwork = opts.defaultNetwork;
  if (opts.metrics !== undefined) platformOpts.metrics = opts.metrics;
  if (opts.logMaxMb !== undefined) platformOpts.logMaxMb = opts.logMaxMb;
  if (opts.otlpEndpoint !== undefined) platformOpts.otlpEndpoint = opts.otlpEndpoint;
  const metricsToken = opts.metricsToken ?? (process.env.VAJRA_METRICS_TOKEN || undefined);
  const platform = await Platform.open(platformOpts);
  for (const w of platform.warnings) app.log.warn(`WARNING: ${w}`);
  await ensureAdminKey(platform.store, platform.dataDir);
  const accessKeys = await AccessKeys.load(platform.store, platform.dataDir, platform.arnScope);
  const auth = new Authenticator(platform.store, accessKeys.exists);

  app.addHook("onRequest", async (req, reply) => {
    // Requests from functions (their endpoint socket) may only be Lambda calls with role credentials.
    const refused = gateFunctionRequest(req, reply);
    if (refused !== undefined) return refused;
    // Lambda API routes authenticate with SigV4 (verified in their own scope, over the raw body).
    if (isLambdaPath(req.url)) return;
    // Function URLs authenticate by their own AuthType (NONE or SigV4).
    if (req.url.startsWith(URL_PREFIX)) return;
    // STS (at the root) and the code bucket sign with SigV4 too.
    if (isStsPath(req.url) || isS3Path(req.url) || req.url.startsWith(SCHEDULER_PREFIX)) return;
    if (req.url.startsWith(LOGS_PREFIX)) return;
    // S3-compatible stores post notifications with the trigger's own secret (checked by the route).
    if (isStorageWebhookPath(req.url)) return;
    // The console's static files are public; the API calls they make carry the user's key.
    if (isConsolePath(req.url)) return;
    // A console sign-in with an access key pair is signed with SigV4 (checked by the route).
    if (isSessionSignIn(req.method, req.url)) return;
    // A Prometheus scrape may carry the metrics token instead of an API key.
    if (isMetricsScrape(req.url, req.headers.authorization, metricsToken)) return;
    if ((await auth.check(req.headers.authorization)) === undefined) {
      return sendError(
        reply,
        new VajraError(
          "Unauthorized",
          `missing or invalid API key: send 'Authorization: Bearer <key>' (the admin key is in ${join(platform.dataDir, ADMIN_KEY_FILE)})`,
        ),
      );
    }
  });
  app.setErrorHandler((err, req, reply) => {
    const e = toVajraError(err);
    if (!e.userError) req.log.error({ err }, "request failed");
    return sendError(reply, e);
  });
  app.setNotFoundHandler((req, reply) =>
    isLambdaPath(req.url)
      ? lambdaNotFound(req, reply)
      : sendError(reply, new VajraError("NotFound", `no route ${req.method} ${req.url}`)),
  );
  useServerScope(app, platform.arnScope);
  registerNativeRoutes(app, platform, packageVersion());
  registerKeyRoutes(app, accessKeys);
  registerNetworkRoutes(app, platform);
  registerFunctionSettingsRoutes(app, platform);
  registerRoleRoutes(app, platform);
  registerFunctionUrlRoutes(app, platform, accessKeys.lookup);
  // Function URLs are reported at the public listener once it listens.
  const publicAddress: PublicAddress = {};
  registerUrlConfigRoutes(app, platform, publicAddress);
  registerLambdaApi(app, {
    platform,
    lookupKey: accessKeys.lookup,
    accountOf: accessKeys.accountOf,
    publicAddress,
  });
  registerStsRoutes(app, { platform, lookupKey: accessKeys.lookup, accountOf: accessKeys.accountOf });
  registerS3Routes(app, { platform, lookupKey: accessKeys.lookup, accountOf: accessKeys.accountOf });
  registerScheduleRoutes(app, platform);
  registerBudgetRoutes(app, platform);
  registerMetricsRoutes(app, platform);
  registerLogRoutes(app, platform);
  registerCostRoutes(app, platform);
  registerRecommendationRoutes(app, platform);
  registerTriggerRoutes(app, platform);
  registerStorageTriggerRoutes(app, platform);
  registerStorageWebhookRoutes(app, platform);
  registerSchedulerRoutes(app, { platform, lookupKey: accessKeys.lookup });
  registerCloudWatchLogsRoutes(app, { platform, lookupKey: accessKeys.lookup });
  registerRouteRoutes(app, platform);
  registerConsoleRoutes(app);
  registerApiKeyRoutes(app, platform.store, auth);
  registerSessionRoutes(app, platform.store, accessKeys);
  registerDoctorRoutes(app, platform);

  const host = opts.host ?? process.env.VAJRA_HOST ?? "127.0.0.1";
  const port =
    opts.port ?? (process.env.VAJRA_PORT === undefined ? DEFAULT_PORT : Number(process.env.VAJRA_PORT));
  const address = await app.listen({ host, port });
  // The public listener (routes, function URLs) is opt-in; failing to open it fails the start.
  const pub = await startPublicListener(
    { platform, lookupKey: accessKeys.lookup },
    opts,
    host,
    app.log,
  ).catch(async (err: unknown) => {
    await app.close();
    await platform.close(0);
    throw err;
  });
  if (pub !== undefined) setPublicAddress(publicAddress, pub.url);
  const endpoint = await startFunctionEndpoint(app, platform.functionEndpointSocket).catch((err: unknown) => {
    app.log.warn(
      `WARNING: functions cannot call the Lambda API: ${platform.functionEndpointSocket}: ${(err as Error).message}`,
    );
    return { close: () => Promise.resolve() };
  });
  let closing: Promise<void> | undefined;
  return {
    app,
    platform,
    url: address,
    ...(pub === undefined ? {} : { publicUrl: pub.url }),
    close() {
      closing ??= (async () => {
        // Stop accepting. Keep-alive connections that finish their last response are closed as they go
        // idle (Node only closes the ones idle at the moment close() is called).
        const httpClosed = Promise.all([app.close(), pub?.app.close()]);
        const sweeper = setInterval(() => {
          app.server.closeIdleConnections();
          pub?.app.server.closeIdleConnections();
        }, 50);
        // In-flight invocations get the grace period; then instances are stopped and records flushed.
        await platform.close(SHUTDOWN_GRACE_MS);
        await Promise.race([httpClosed, new Promise<void>((r) => setTimeout(r, SHUTDOWN_GRACE_MS).unref())]);
        // Functions called the endpoint until their instances stopped; nothing uses it now.
        await endpoint.close();
        clearInterval(sweeper);
        app.server.closeAllConnections();
        pub?.app.server.closeAllConnections();
      })();
      return closing;
    },
  };
}

/** Runs the server until SIGINT/SIGTERM; resolves once it has shut down. */
export async function runServer(opts: ServerOptions = {}): Promise<void> {
  const server = await startServer(opts);
  server.app.log.info(
    `Vajra ${packageVersion()} listening on ${server.url}${server.publicUrl === undefined ? "" : ` (public: ${server.publicUrl})`} (data: ${server.platform.dataDir}; admin key: ${join(server.platform.dataDir, ADMIN_KEY_FILE)})`,
  );
  await new Promise<void>((resolve) => {
    let signalled = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (signalled) {
        server.app.log.warn(`second ${sig}: exiting now`);
        process.exit(130);
      }
      signalled = true;
      server.app.log.info(`${sig}: shutting down`);
      server.close().then(resolve, (err: unknown) => {
        server.app.log.error({ err }, "shutdown failed");
        resolve();
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}
