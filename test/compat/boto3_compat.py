# Drives a running Vajra server with the real, unmodified boto3 (Debian's python3-boto3) to prove that
# Python code written for AWS Lambda works against it. Usage: boto3_compat.py ENDPOINT [CREDENTIALS_FILE]
import base64
import configparser
import io
import json
import os
import sys
import zipfile

import boto3
import botocore
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VAJRA_ENDPOINT", "")
CREDS = sys.argv[2] if len(sys.argv) > 2 else os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "")
if not ENDPOINT or not CREDS:
    sys.exit("usage: boto3_compat.py ENDPOINT CREDENTIALS_FILE (or VAJRA_ENDPOINT / AWS_SHARED_CREDENTIALS_FILE)")
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = CREDS
os.environ["AWS_PROFILE"] = "vajra"
os.environ["AWS_CONFIG_FILE"] = os.devnull  # no user config may leak in
FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
ROLE = "arn:aws:iam::000000000000:role/compat"
NAME = "boto3-%d" % os.getpid()  # unique, so the script can be rerun against the same server
NO_RETRY = Config(retries={"max_attempts": 1}, read_timeout=120)


def client(**kw):
    return boto3.client("lambda", endpoint_url=ENDPOINT, region_name="us-east-1", config=kw.pop("config", NO_RETRY), **kw)


lam = client()


def ok(what):
    print("ok   " + what, flush=True)


def fail(msg):
    print("FAIL " + msg, flush=True)
    sys.exit(1)


def zip_dir(path, extra=None):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for root, _dirs, files in os.walk(path):
            for f in files:
                full = os.path.join(root, f)
                z.write(full, os.path.relpath(full, path))
        for name, text in (extra or {}).items():
            z.writestr(name, text)
    return buf.getvalue()


def aws_error(fn, code, status, **kw):
    """Calls fn(**kw) and returns the ClientError, which must carry `code` and HTTP `status`."""
    try:
        fn(**kw)
    except ClientError as e:
        got = e.response["Error"]["Code"]
        http = e.response["ResponseMetadata"]["HTTPStatusCode"]
        if got != code or http != status:
            fail("%s: expected %s/%d, got %s/%d: %s" % (fn.__name__, code, status, got, http, e))
        return e
    fail("%s(%s) succeeded, expected %s" % (fn.__name__, list(kw), code))


def payload(r):
    return json.loads(r["Payload"].read())


TOOLKIT = zip_dir(os.path.join(FIXTURES, "python", "toolkit"))
NODE = zip_dir(os.path.join(FIXTURES, "nodejs", "cjs"))
print("boto3 %s / botocore %s against %s" % (boto3.__version__, botocore.__version__, ENDPOINT))

# --- lifecycle -------------------------------------------------------------------------------------
created = lam.create_function(
    FunctionName=NAME, Runtime="python3.11", Role=ROLE, Handler="app.counter",
    Code={"ZipFile": TOOLKIT}, MemorySize=256, Timeout=10, Tags={"team": "a"},
)
assert created["FunctionName"] == NAME, created
assert created["FunctionArn"] == "arn:aws:lambda:us-east-1:000000000000:function:" + NAME, created
ok("create_function -> %s (State %s)" % (created["FunctionArn"], created.get("State")))
lam.get_waiter("function_active_v2").wait(FunctionName=NAME, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
ok("waiter function_active_v2")

ctx = base64.b64encode(json.dumps({"custom": {"who": "boto3"}}).encode()).decode()
r = lam.invoke(FunctionName=NAME, Payload=b'{"k": "v"}', LogType="Tail", ClientContext=ctx)
assert r["StatusCode"] == 200, r
assert "FunctionError" not in r, r
assert r["ExecutedVersion"] == "$LATEST", r
out = payload(r)
assert out["event"] == {"k": "v"} and out["functionName"] == NAME and out["memory"] == "256", out
log = base64.b64decode(r["LogResult"]).decode()
assert log.startswith("START RequestId: ") or "\nSTART RequestId: " in log, log
assert "REPORT RequestId: " in log and "invocation" in log, log
ok("invoke LogType=Tail + ClientContext: payload, START..REPORT log, no FunctionError")

r = lam.invoke(FunctionName=NAME, Qualifier="$LATEST", Payload=b"{}")
assert r["StatusCode"] == 200 and r["ExecutedVersion"] == "$LATEST", r
assert lam.invoke(FunctionName=NAME, InvocationType="DryRun")["StatusCode"] == 204
ok("invoke Qualifier=$LATEST and DryRun")

before = lam.get_function_configuration(FunctionName=NAME)
upd = lam.update_function_configuration(
    FunctionName=NAME, MemorySize=512, Environment={"Variables": {"MODE": "blue"}}, RevisionId=before["RevisionId"]
)
assert upd["MemorySize"] == 512 and upd["RevisionId"] != before["RevisionId"], upd
lam.get_waiter("function_updated_v2").wait(FunctionName=NAME, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
out = payload(lam.invoke(FunctionName=NAME))
assert out["memory"] == "512" and out["env"].get("MODE") == "blue", out
ok("update_function_configuration (memory, env) + waiter function_updated_v2")
aws_error(lam.update_function_configuration, "PreconditionFailedException", 412,
          FunctionName=NAME, MemorySize=1024, RevisionId=before["RevisionId"])
ok("stale RevisionId -> PreconditionFailedException 412")

code = lam.update_function_code(FunctionName=NAME, ZipFile=zip_dir(os.path.join(FIXTURES, "python", "toolkit"), {"v2.txt": "2"}))
assert code["CodeSha256"] != created["CodeSha256"], code
lam.get_waiter("function_updated_v2").wait(FunctionName=NAME, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
got = lam.get_function(FunctionName=NAME)
assert got["Configuration"]["CodeSha256"] == code["CodeSha256"], got
assert got["Tags"] == {"team": "a"}, got
ok("update_function_code, get_function shows new CodeSha256 and tags")

# --- versions and a weighted alias ----------------------------------------------------------------
v1 = lam.publish_version(FunctionName=NAME, Description="blue")
lam.update_function_configuration(FunctionName=NAME, Environment={"Variables": {"MODE": "green"}})
lam.get_waiter("function_updated_v2").wait(FunctionName=NAME, WaiterConfig={"Delay": 1, "MaxAttempts": 30})
v2 = lam.publish_version(FunctionName=NAME, Description="green")
assert (v1["Version"], v2["Version"]) == ("1", "2"), (v1, v2)
versions = [v["Version"] for v in lam.list_versions_by_function(FunctionName=NAME)["Versions"]]
assert versions == ["$LATEST", "1", "2"], versions
assert payload(lam.invoke(FunctionName=NAME, Qualifier="1"))["env"]["MODE"] == "blue"
assert payload(lam.invoke(FunctionName=NAME + ":2"))["env"]["MODE"] == "green"
ok("publish_version x2 with different env; list_versions_by_function; invoke NAME:N")

alias = lam.create_alias(FunctionName=NAME, Name="live", FunctionVersion="1",
                         RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}})
assert alias["AliasArn"].endswith(":function:%s:live" % NAME), alias
assert alias["RoutingConfig"]["AdditionalVersionWeights"] == {"2": 0.5}, alias
counts = {}
for _ in range(200):
    r = lam.invoke(FunctionName=NAME, Qualifier="live")
    mode = payload(r)["env"]["MODE"]
    assert (r["ExecutedVersion"], mode) in (("1", "blue"), ("2", "green")), (r["ExecutedVersion"], mode)
    counts[r["ExecutedVersion"]] = counts.get(r["ExecutedVersion"], 0) + 1
share = counts.get("2", 0) / 200.0
assert abs(share - 0.5) <= 0.10, "version 2 got %.1f%% of 200 invocations, expected 50%% +- 10" % (share * 100)
ok("alias live 1 + {2: 0.5}: 200 invocations, version 2 share %.2f" % share)
upd = lam.update_alias(FunctionName=NAME, Name="live", FunctionVersion="2", RoutingConfig={"AdditionalVersionWeights": {}})
assert upd["FunctionVersion"] == "2", upd
assert lam.get_alias(FunctionName=NAME, Name="live")["FunctionVersion"] == "2"
assert [a["Name"] for a in lam.list_aliases(FunctionName=NAME)["Aliases"]] == ["live"]
aws_error(lam.delete_function, "ResourceConflictException", 409, FunctionName=NAME, Qualifier="2")
lam.delete_function(FunctionName=NAME, Qualifier="1")
aws_error(lam.invoke, "ResourceNotFoundException", 404, FunctionName=NAME, Qualifier="1")
ok("update/get/list alias; version in use is 409; delete_function Qualifier=1 deletes that version")

# --- concurrency, event invoke config, tags --------------------------------------------------------
assert lam.put_function_concurrency(FunctionName=NAME, ReservedConcurrentExecutions=0)["ReservedConcurrentExecutions"] == 0
assert lam.get_function_concurrency(FunctionName=NAME)["ReservedConcurrentExecutions"] == 0
e = aws_error(lam.invoke, "TooManyRequestsException", 429, FunctionName=NAME)
assert e.response.get("Reason") == "ReservedFunctionConcurrentInvocationLimitExceeded", e.response
ok("reserved concurrency 0 -> TooManyRequestsException 429, Reason %s" % e.response["Reason"])
lam.delete_function_concurrency(FunctionName=NAME)
assert "ReservedConcurrentExecutions" not in lam.get_function_concurrency(FunctionName=NAME)
assert lam.invoke(FunctionName=NAME)["StatusCode"] == 200
ok("delete_function_concurrency lets calls through")

eic = lam.put_function_event_invoke_config(FunctionName=NAME, MaximumRetryAttempts=1, MaximumEventAgeInSeconds=120)
assert eic["MaximumRetryAttempts"] == 1, eic
eic = lam.update_function_event_invoke_config(FunctionName=NAME, MaximumRetryAttempts=0)
assert eic["MaximumRetryAttempts"] == 0 and eic["MaximumEventAgeInSeconds"] == 120, eic
assert lam.get_function_event_invoke_config(FunctionName=NAME)["MaximumRetryAttempts"] == 0
assert len(lam.list_function_event_invoke_configs(FunctionName=NAME)["FunctionEventInvokeConfigs"]) == 1
lam.delete_function_event_invoke_config(FunctionName=NAME)
aws_error(lam.get_function_event_invoke_config, "ResourceNotFoundException", 404, FunctionName=NAME)
r = lam.invoke(FunctionName=NAME, InvocationType="Event", Payload=b'{"async": true}')
assert r["StatusCode"] == 202, r
ok("event invoke config put/update/get/list/delete; InvocationType=Event -> 202")

arn = created["FunctionArn"]
lam.tag_resource(Resource=arn, Tags={"env": "prod", "cost": "7"})
assert lam.list_tags(Resource=arn)["Tags"] == {"team": "a", "env": "prod", "cost": "7"}
lam.untag_resource(Resource=arn, TagKeys=["cost", "team"])
assert lam.list_tags(Resource=arn)["Tags"] == {"env": "prod"}
ok("tag_resource / list_tags / untag_resource")

settings = lam.get_account_settings()
assert settings["AccountLimit"]["ConcurrentExecutions"] > 0 and settings["AccountUsage"]["FunctionCount"] >= 1, settings
csc = lam.get_function_code_signing_config(FunctionName=NAME)
assert csc["FunctionName"] == NAME and not csc.get("CodeSigningConfigArn"), csc
names = [f["FunctionName"] for p in lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 1}) for f in p["Functions"]]
assert NAME in names, names
ok("get_account_settings, get_function_code_signing_config, list_functions paginator (MaxItems=1)")

# --- error shapes ---------------------------------------------------------------------------------
base = dict(FunctionName=NAME, Runtime="python3.11", Role=ROLE, Handler="app.counter", Code={"ZipFile": TOOLKIT})
e = aws_error(lam.create_function, "ResourceConflictException", 409, **base)
ok("duplicate create -> ResourceConflictException 409 (%s)" % e.response["Error"]["Message"])
lam.create_function(**dict(base, FunctionName=NAME + "-fail", Handler="app.fail"))
r = lam.invoke(FunctionName=NAME + "-fail", Payload=b'{"why": "py"}')
err = payload(r)
assert r["StatusCode"] == 200 and r["FunctionError"] == "Unhandled", r
assert err["errorType"] == "ValueError" and err["errorMessage"] == "boom: py", err
lam.delete_function(FunctionName=NAME + "-fail")
ok("handler exception -> 200 with FunctionError Unhandled, ValueError 'boom: py'")


def invalid(**over):
    kw = dict(base, FunctionName=NAME + "-bad")
    kw.update(over)
    try:
        lam.create_function(**kw)
    except ClientError as e:
        code, http = e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
        assert code in ("InvalidParameterValueException", "ValidationException") and http == 400, (over, code, http)
        return code
    fail("create_function %s succeeded" % over)


ok("Runtime cobol85 -> %s 400" % invalid(Runtime="cobol85"))
ok("FunctionName 'bad name!' -> %s 400" % invalid(FunctionName="bad name!"))
# botocore enforces the model's min values itself (MemorySize >= 128, Timeout >= 1), so the request never
# leaves the client: assert that, then turn client-side validation off to check the server's own answer.
for over in ({"MemorySize": 64}, {"Timeout": 0}):
    try:
        lam.create_function(**dict(base, FunctionName=NAME + "-bad", **over))
        fail("%s passed botocore's validation" % over)
    except ParamValidationError as e:
        assert "valid min value" in str(e), e
    unchecked = client(config=NO_RETRY.merge(Config(parameter_validation=False)))
    e = aws_error(unchecked.create_function, "ValidationException", 400, **dict(base, FunctionName=NAME + "-bad", **over))
    assert "failed to satisfy constraint" in e.response["Error"]["Message"], e.response
    ok("%s -> botocore ParamValidationError; server says ValidationException 400" % over)
assert NAME + "-bad" not in [f["FunctionName"] for f in lam.list_functions()["Functions"]]

e = aws_error(lam.invoke, "RequestTooLargeException", 413, FunctionName=NAME, Payload=b"a" * (6 * 1024 * 1024 + 1))
ok("6 MB + 1 payload -> RequestTooLargeException 413")
e = aws_error(lam.create_code_signing_config, "UnsupportedOperationException", 400,
              AllowedPublishers={"SigningProfileVersionArns": ["arn:aws:signer:us-east-1:000000000000:/signing-profiles/p/abcdef"]})
ok("create_code_signing_config (not implemented) -> UnsupportedOperationException 400")
e = aws_error(lam.create_event_source_mapping, "InvalidParameterValueException", 400, FunctionName=NAME, EventSourceArn="arn:aws:sqs:us-east-1:000000000000:q")
assert "broker URIs" in e.response["Error"]["Message"], e.response
ok("create_event_source_mapping from SQS -> InvalidParameterValueException 400 naming the broker URIs")

ini = configparser.ConfigParser()
ini.read(CREDS)
key = ini["vajra"]["aws_access_key_id"]
wrong = client(aws_access_key_id=key, aws_secret_access_key="wrong-secret")
aws_error(wrong.list_functions, "InvalidSignatureException", 403)
ok("wrong secret -> InvalidSignatureException 403")
unknown = client(aws_access_key_id="AKIANOTAKEY000000000", aws_secret_access_key="x")
aws_error(unknown.list_functions, "UnrecognizedClientException", 403)
ok("unknown access key -> UnrecognizedClientException 403")

# --- delete ---------------------------------------------------------------------------------------
lam.delete_alias(FunctionName=NAME, Name="live")
lam.delete_function(FunctionName=NAME)
e = aws_error(lam.get_function, "ResourceNotFoundException", 404, FunctionName=NAME)
ok("delete_function, then get_function -> ResourceNotFoundException 404 (%s)" % e.response["Error"]["Message"])
print("boto3 compat: all checks passed")
