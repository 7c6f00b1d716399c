// A minimal AWS STS (query protocol, SigV4 service `sts`) with the one call tools make to learn who
// they are: GetCallerIdentity. `aws sts get-caller-identity`, Terraform's aws provider and CDK's
// bootstrap ask it for the account id before anything else.
// API: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html

import { randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { accountRootArn } from "../core/lambda-format.js";
import { withArnScope } from "../core/arn-scope.js";
import type { Platform } from "../engine/platform.js";
import { signedRequestOf, signedScope } from "./request-scope.js";
import { verifySigV4, type SigV4Credentials, type SigV4ErrorType } from "./sigv4.js";
import { EXPIRED_TOKEN_MESSAGE, assumedRoleArn, securityToken, sessionAwareLookup } from "./session-auth.js";
import { acceptRawBodies } from "./raw-body.js";

const XMLNS = "https://sts.amazonaws.com/doc/2011-06-15/";
const VERSION = "2011-06-15";

export interface StsOptions {
  platform: Platform;
  lookupKey: (accessKeyId: string) => SigV4Credentials | undefined;
  accountOf: (accessKeyId: string) => string;
}

/** STS answers query-protocol requests at the endpoint's root. */
export function isStsPath(url: string): boolean {
  return url === "/" || url.startsWith("/?");
}

/** STS names the SigV4 failures differently from the JSON services. */
const SIGV4_CODES: Record<SigV4ErrorType, string> = {
  MissingAuthenticationTokenException: "MissingAuthenticationToken",
  IncompleteSignatureException: "IncompleteSignature",
  InvalidSignatureException: "SignatureDoesNotMatch",
  UnrecognizedClientException: "InvalidClientTokenId",
};

export function xmlEscape(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c,
  );
}

function sendStsError(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  const requestId = randomUUID();
  const type = status >= 500 ? "Receiver" : "Sender";
  return reply
    .code(status)
    .header("content-type", "text/xml")
    .header("x-amzn-requestid", requestId)
    .send(
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code>` +
        `<Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
}

/** Query-protocol parameters: from the form body (POST) and the query string (GET). */
function queryParams(req: FastifyRequest, body: Buffer): URLSearchParams {
  const q = req.url.indexOf("?");
  const params = new URLSearchParams(q < 0 ? "" : req.url.slice(q + 1));
  for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params.set(k, v);
  return params;
}

export function registerStsRoutes(app: FastifyInstance, opts: StsOptions): void {
  void app.register((scope, _o, done) => {
    acceptRawBodies(scope, 64 * 1024);
    const handler = (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const keys = sessionAwareLookup(opts.platform, opts.lookupKey, () => securityToken(req));
      const result = verifySigV4(signedRequestOf(req, body), keys.lookup);
      const session = keys.checked();
      if (!result.ok) {
        if (session?.ok === false && session.reason === "expired")
          return sendStsError(reply, 403, "ExpiredToken", EXPIRED_TOKEN_MESSAGE);
        const status = result.errorType === "IncompleteSignatureException" ? 400 : 403;
        return sendStsError(reply, status, SIGV4_CODES[result.errorType], result.message);
      }
      const scopeOrError = signedScope(opts.platform.arnScope, result.region);
      if (typeof scopeOrError === "string")
        return sendStsError(reply, 400, "InvalidParameterValue", scopeOrError);
      const params = queryParams(req, body);
      const action = params.get("Action") ?? "";
      if (action !== "GetCallerIdentity") {
        const what = action === "" ? "no Action" : `operation ${action}`;
        return sendStsError(
          reply,
          400,
          "InvalidAction",
          `Could not find ${what} for version ${params.get("Version") ?? VERSION}; Vajra's STS implements GetCallerIdentity only`,
        );
      }
      // Vajra's access keys are account keys, so the caller is the account's root user, as AWS
      // reports for root credentials (UserId is then the account id). A function's role credentials
      // are an assumed role: `assumed-role/ROLE/FUNCTION`, UserId `ROLEID:FUNCTION`.
      const account = session?.ok === true ? session.session.account : opts.accountOf(result.accessKeyId);
      const arn =
        session?.ok === true
          ? assumedRoleArn(session, scopeOrError.region)
          : withArnScope(scopeOrError, () => accountRootArn(account));
      const userId =
        session?.ok === true
          ? `${session.session.roleId || "AROAVAJRAFUNCTIONROLE"}:${session.session.functionName}`
          : account;
      const requestId = randomUUID();
      return reply
        .code(200)
        .header("content-type", "text/xml")
        .header("x-amzn-requestid", requestId)
        .send(
          `<GetCallerIdentityResponse xmlns="${XMLNS}"><GetCallerIdentityResult>` +
            `<Arn>${xmlEscape(arn)}</Arn><UserId>${xmlEscape(userId)}</UserId><Account>${account}</Account>` +
            `</GetCallerIdentityResult><ResponseMetadata><RequestId>${requestId}</RequestId>` +
            `</ResponseMetadata></GetCallerIdentityResponse>`,
        );
    };
    scope.post("/", handler);
    scope.get("/", handler);
    done();
  });
}
