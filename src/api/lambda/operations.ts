// The Lambda API's operations as (name, method, path template), from the table generated from the AWS
// API model (2015-03-31), so a request for an operation Vajra does not implement is answered by its name.

import { matchOperation } from "./check-request.js";
import { LAMBDA_MODEL } from "./model-table.generated.js";

export const LAMBDA_OPERATIONS: ReadonlyArray<readonly [name: string, method: string, path: string]> =
  Object.entries(LAMBDA_MODEL.operations).map(([name, op]) => [name, op.method, op.path] as const);

/** Path prefixes (API versions) that belong to the Lambda API. */
export const LAMBDA_PATH_PREFIXES = [
  ...new Set(LAMBDA_OPERATIONS.map(([, , p]) => p.split("/")[1] ?? "")),
].map((v) => `/${v}/`);

/** The operation a method and raw path would be, or undefined when it matches none. */
export function operationFor(method: string, path: string): string | undefined {
  return matchOperation(method, path)?.name;
}
