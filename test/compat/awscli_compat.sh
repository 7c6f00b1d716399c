#!/usr/bin/env bash
# Drives a running Vajra server with the real AWS CLI v2 (`aws lambda ... --endpoint-url`) and only the
# credentials file Vajra wrote, as a user following AWS docs would. Usage: awscli_compat.sh ENDPOINT DATA_DIR
set -euo pipefail

ENDPOINT=${1:?usage: awscli_compat.sh ENDPOINT DATA_DIR}
DATA_DIR=${2:?usage: awscli_compat.sh ENDPOINT DATA_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FIXTURES="$HERE/../fixtures"
AWS=${AWS_CLI:-/usr/bin/aws}
NAME="awscli-$$"
ROLE="arn:aws:iam::000000000000:role/compat"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
# Nothing from the user's own AWS setup may leak in: fresh HOME, no config file, no retries, no pager.
export HOME="$WORK/home"
mkdir -p "$HOME"
export AWS_SHARED_CREDENTIALS_FILE="$DATA_DIR/credentials"
export AWS_CONFIG_FILE="$WORK/no-config"
export AWS_PROFILE=vajra
export AWS_MAX_ATTEMPTS=1
export AWS_PAGER=""
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_REGION

ok() { echo "ok   $*"; }
fail() {
  echo "FAIL $*" >&2
  exit 1
}
lambda() { "$AWS" lambda "$@" --endpoint-url "$ENDPOINT" --output json; }
# Runs `lambda ARGS...`, which must fail with error CODE in stderr.
expect_error() {
  local code=$1
  shift
  if lambda "$@" >"$WORK/err.out" 2>"$WORK/err.txt"; then fail "aws lambda $1 succeeded, expected $code"; fi
  grep -q "($code)" "$WORK/err.txt" || fail "aws lambda $1: expected $code, got: $(cat "$WORK/err.txt")"
}
# Extracts a field from the JSON on stdin with python3 (jq may be absent).
field() { /usr/bin/python3 -c 'import json,sys; v=json.load(sys.stdin); [v:=v[k] for k in sys.argv[1:]]; print(v)' "$@"; }

echo "$("$AWS" --version) against $ENDPOINT"
(cd "$FIXTURES/python/toolkit" && zip -q -r "$WORK/toolkit.zip" .)

lambda create-function --function-name "$NAME" --runtime python3.11 --role "$ROLE" \
  --handler app.counter --zip-file "fileb://$WORK/toolkit.zip" --memory-size 256 --timeout 10 \
  --tags team=cli >"$WORK/create.json"
[[ $(field FunctionArn <"$WORK/create.json") == "arn:aws:lambda:us-east-1:000000000000:function:$NAME" ]] ||
  fail "create-function answered $(cat "$WORK/create.json")"
ok "create-function $NAME (fileb:// zip)"

lambda wait function-active-v2 --function-name "$NAME"
ok "wait function-active-v2"

lambda invoke --function-name "$NAME" --log-type Tail --cli-binary-format raw-in-base64-out \
  --payload '{"k":1}' "$WORK/out.json" >"$WORK/invoke.json"
[[ $(field StatusCode <"$WORK/invoke.json") == 200 ]] || fail "invoke: $(cat "$WORK/invoke.json")"
grep -q FunctionError "$WORK/invoke.json" && fail "invoke reported a FunctionError: $(cat "$WORK/invoke.json")"
[[ $(field event k <"$WORK/out.json") == 1 ]] || fail "out.json: $(cat "$WORK/out.json")"
[[ $(field memory <"$WORK/out.json") == 256 ]] || fail "out.json: $(cat "$WORK/out.json")"
field LogResult <"$WORK/invoke.json" | base64 -d >"$WORK/log.txt"
grep -q '^START RequestId: .* Version: \$LATEST' "$WORK/log.txt" || fail "LogResult: $(cat "$WORK/log.txt")"
grep -q '^REPORT RequestId: ' "$WORK/log.txt" || fail "LogResult: $(cat "$WORK/log.txt")"
ok "invoke --log-type Tail --payload '{\"k\":1}': out.json has the event, LogResult is START..REPORT"

lambda update-function-configuration --function-name "$NAME" --memory-size 512 \
  --environment 'Variables={MODE=blue}' >"$WORK/update.json"
[[ $(field MemorySize <"$WORK/update.json") == 512 ]] || fail "update: $(cat "$WORK/update.json")"
lambda wait function-updated-v2 --function-name "$NAME"
lambda invoke --function-name "$NAME" "$WORK/out2.json" >/dev/null
[[ $(field env MODE <"$WORK/out2.json") == blue ]] || fail "env not applied: $(cat "$WORK/out2.json")"
ok "update-function-configuration + wait function-updated-v2 (memory 512, MODE=blue)"

[[ $(lambda publish-version --function-name "$NAME" | field Version) == 1 ]] || fail "publish-version"
lambda update-function-configuration --function-name "$NAME" --environment 'Variables={MODE=green}' >/dev/null
lambda wait function-updated-v2 --function-name "$NAME"
[[ $(lambda publish-version --function-name "$NAME" | field Version) == 2 ]] || fail "publish-version"
ok "publish-version 1 (blue) and 2 (green)"

lambda create-alias --function-name "$NAME" --name live --function-version 1 \
  --routing-config '{"AdditionalVersionWeights":{"2":0.5}}' >"$WORK/alias.json"
[[ $(field AliasArn <"$WORK/alias.json") == *":function:$NAME:live" ]] || fail "alias: $(cat "$WORK/alias.json")"
lambda get-alias --function-name "$NAME" --name live >"$WORK/alias.json"
[[ $(field FunctionVersion <"$WORK/alias.json") == 1 ]] || fail "get-alias: $(cat "$WORK/alias.json")"
[[ $(field RoutingConfig AdditionalVersionWeights 2 <"$WORK/alias.json") == 0.5 ]] ||
  fail "get-alias: $(cat "$WORK/alias.json")"
lambda invoke --function-name "$NAME" --qualifier live "$WORK/out3.json" >"$WORK/invoke3.json"
[[ $(field ExecutedVersion <"$WORK/invoke3.json") =~ ^[12]$ ]] || fail "alias invoke: $(cat "$WORK/invoke3.json")"
ok "create-alias live --routing-config {2: 0.5}; get-alias; invoke --qualifier live"

[[ $(lambda put-function-concurrency --function-name "$NAME" --reserved-concurrent-executions 0 |
  field ReservedConcurrentExecutions) == 0 ]] || fail "put-function-concurrency"
expect_error TooManyRequestsException invoke --function-name "$NAME" "$WORK/out4.json"
ok "put-function-concurrency 0; invoke fails: $(grep -o 'An error occurred.*' "$WORK/err.txt")"

lambda delete-function-concurrency --function-name "$NAME"
lambda invoke --function-name "$NAME" "$WORK/out5.json" >/dev/null
ok "delete-function-concurrency; invoke works again"

lambda list-functions >"$WORK/list.json"
/usr/bin/python3 -c 'import json,sys; sys.exit(sys.argv[1] not in [f["FunctionName"] for f in json.load(open(sys.argv[2]))["Functions"]])' \
  "$NAME" "$WORK/list.json" || fail "list-functions lacks $NAME: $(cat "$WORK/list.json")"
ok "list-functions contains $NAME"

lambda delete-alias --function-name "$NAME" --name live
lambda delete-function --function-name "$NAME"
ok "delete-function"
expect_error ResourceNotFoundException get-function --function-name "$NAME"
ok "get-function fails: $(grep -o 'An error occurred.*' "$WORK/err.txt")"
echo "aws cli compat: all checks passed"
