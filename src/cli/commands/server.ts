// `vajra server`: starts the platform in this process. The server module is imported only here, and
// lazily, so client commands never load the database driver or the HTTP framework.

import { defineCommand } from "../command.js";
import type { ExternalS3Options } from "../../engine/code-fetch.js";
import { UsageError } from "../errors.js";
import { intOption } from "../parse-options.js";

interface ServerOptions {
  host?: string;
  port?: number;
  keepAlive?: number;
  concurrencyLimit?: number;
  region?: string;
  accountId?: string;
  codeS3Endpoint?: string;
  codeS3Region?: string;
  defaultNetwork?: string;
  metricsToken?: string;
  logMaxMb?: number;
  publicPort?: number;
  publicHost?: string;
  otlpEndpoint?: string;
}

/** The external code store, with its credentials from the environment (never the command line). */
function codeS3Options(opts: ServerOptions): ExternalS3Options | undefined {
  if (opts.codeS3Endpoint === undefined) {
    if (opts.codeS3Region !== undefined) throw new UsageError("--code-s3-region needs --code-s3-endpoint");
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(opts.codeS3Endpoint);
  } catch {
    throw new UsageError(`--code-s3-endpoint '${opts.codeS3Endpoint}' is not a URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new UsageError(`--code-s3-endpoint must be an http:// or https:// URL, not '${url.protocol}'`);
  const accessKeyId = process.env.VAJRA_CODE_S3_ACCESS_KEY_ID;
  const secretAccessKey = process.env.VAJRA_CODE_S3_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new UsageError(
      "--code-s3-endpoint needs VAJRA_CODE_S3_ACCESS_KEY_ID and VAJRA_CODE_S3_SECRET_ACCESS_KEY in the environment",
    );
  return {
    endpoint: opts.codeS3Endpoint,
    accessKeyId,
    secretAccessKey,
    region: opts.codeS3Region ?? "us-east-1",
  };
}

export const serverCommand = defineCommand<ServerOptions>({
  name: "server",
  summary: "run the Vajra server (API and executor) in the foreground",
  description:
    "Run the Vajra server in the foreground until SIGINT/SIGTERM. The data directory comes from the global " +
    "--data-dir (or VAJRA_DATA_DIR, default ~/.vajra); the port from --port (or VAJRA_PORT, default 8700).",
  options: [
    { flags: "--host <host>", description: "address to listen on (default 127.0.0.1)" },
    {
      flags: "--default-network <mode>",
      description:
        "network of functions created without one: egress (the default where this host can offer it, as on Lambda) or none (see docs/network.md)",
    },
    {
      flags: "--port <port>",
      description: "port to listen on (default 8700, env VAJRA_PORT)",
      parse: intOption(0, 65535),
    },
    {
      flags: "--public-port <port>",
      description:
        "also open the public listener on this port: HTTP routes (`vajra route`) and function URLs only, no admin API (default off, env VAJRA_PUBLIC_PORT)",
      parse: intOption(0, 65535),
    },
    {
      flags: "--public-host <host>",
      description: "address of the public listener (default the --host address, env VAJRA_PUBLIC_HOST)",
    },
    {
      flags: "--keep-alive <seconds>",
      description: "how long an idle warm instance is kept before it is stopped",
      parse: intOption(0),
    },
    {
      flags: "--concurrency-limit <n>",
      description: "account-wide limit on concurrent invocations (Lambda's account concurrency)",
      parse: intOption(1),
    },
    {
      flags: "--region <region>",
      description:
        "region of the native API's ARNs and of functions' AWS_REGION (default us-east-1); AWS clients get ARNs of the region they sign for",
    },
    {
      flags: "--account-id <id>",
      description:
        "12-digit account id in every ARN and in `aws sts get-caller-identity` (default 000000000000)",
    },
    {
      flags: "--code-s3-endpoint <url>",
      description:
        "S3-compatible store (e.g. MinIO) that Code.S3Bucket/S3Key are fetched from, path-style; credentials from VAJRA_CODE_S3_ACCESS_KEY_ID and VAJRA_CODE_S3_SECRET_ACCESS_KEY (default: Vajra's own bucket API at /_s3)",
    },
    {
      flags: "--metrics-token <token>",
      description:
        "bearer token Prometheus may scrape GET /metrics with, besides API keys (prefer env VAJRA_METRICS_TOKEN: a command line is visible to other users)",
    },
    {
      flags: "--log-max-mb <MB>",
      description: "size cap of all functions' stored log events; the oldest go first past it (default 1024)",
      parse: intOption(1),
    },
    {
      flags: "--otlp-endpoint <url>",
      description:
        "export a trace span per invocation over OTLP/HTTP to this base URL (spans go to <url>/v1/traces; default env OTEL_EXPORTER_OTLP_ENDPOINT; unset: tracing off)",
    },
    {
      flags: "--code-s3-region <region>",
      description: "region to sign --code-s3-endpoint requests for (default us-east-1)",
    },
  ],
  examples: [
    "vajra server",
    "vajra server --port 9000 --data-dir /var/lib/vajra",
    "VAJRA_PORT=9000 vajra server",
    "vajra server --public-port 8080 --public-host 0.0.0.0",
    "vajra server --region eu-west-1 --account-id 123456789012",
    "VAJRA_CODE_S3_ACCESS_KEY_ID=minio VAJRA_CODE_S3_SECRET_ACCESS_KEY=... vajra server --code-s3-endpoint http://127.0.0.1:9000",
  ],
  async run(ctx, _args, opts) {
    const { runServer } = await import("../../api/server.js");
    await runServer({
      host: opts.host,
      port: opts.port,
      dataDir: ctx.dataDirOption,
      keepAliveSeconds: opts.keepAlive,
      // Only for measuring what freezing costs (npm run bench); Lambda always freezes.
      freezeIdle: process.env.VAJRA_FREEZE !== "off",
      accountConcurrency: opts.concurrencyLimit,
      region: opts.region,
      accountId: opts.accountId,
      codeS3: codeS3Options(opts),
      defaultNetwork: opts.defaultNetwork,
      metricsToken: opts.metricsToken,
      logMaxMb: opts.logMaxMb,
      publicPort: opts.publicPort,
      publicHost: opts.publicHost,
      otlpEndpoint: opts.otlpEndpoint,
      // Only for measuring what metrics cost (npm run bench).
      metrics: process.env.VAJRA_METRICS !== "off",
    });
  },
});
