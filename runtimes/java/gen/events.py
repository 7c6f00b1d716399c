#!/usr/bin/env python3
"""Writes Vajra's aws-lambda-java-events classes (runtimes/java/api/.../events) from the compact
descriptions below: the public names (classes, properties, getters, setters, with-methods, builders)
of AWS's library, written from its documented API. Run it after changing a description; the output is
committed. Styles: "bean" = getters/setters plus fluent withX(v) that return this (AWS's hand-written
classes); "lombok" = getters/setters plus a static builder() whose methods are withX (the Lombok
@Data/@Builder(setterPrefix="with") classes); a primitive boolean property named isX has isX()/setX()
as Lombok generates them."""
import os, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "api", "com", "amazonaws",
                    "services", "lambda", "runtime", "events")

S = "String"
MSS = "Map<String, String>"
MSL = "Map<String, List<String>>"
MSO = "Map<String, Object>"
LS = "List<String>"

# name -> (style, [(type, prop)], nested classes, extra java)
def cls(name, style, props, nested=(), extra="", extends=None, ctor=False, doc=""):
    return dict(name=name, style=style, props=props, nested=list(nested), extra=extra, extends=extends,
                ctor=ctor, doc=doc)

def cap(p):
    return p[0].upper() + p[1:]

def accessor_names(t, p, style):
    if style == "lombok" and t == "boolean" and p.startswith("is") and p[2:3].isupper():
        return p, "set" + p[2:]
    if t == "boolean":
        return "is" + cap(p), "set" + cap(p)
    return "get" + cap(p), "set" + cap(p)

def render(c, indent, outer):
    i = " " * indent
    j = i + "    "
    out = []
    static = "static " if outer else ""
    ext = f" extends {c['extends']}" if c["extends"] else ""
    if c["doc"]:
        out.append(f"{i}/** {c['doc']} */")
    out.append(f"{i}public {static}class {c['name']}{ext} implements Serializable, Cloneable {{")
    out.append(f"{j}private static final long serialVersionUID = 1L;")
    out.append("")
    for t, p in c["props"]:
        out.append(f"{j}private {t} {p};")
    out.append("")
    out.append(f"{j}public {c['name']}() {{")
    out.append(f"{j}}}")
    if c["ctor"] and c["props"]:
        args = ", ".join(f"{t} {p}" for t, p in c["props"])
        out.append("")
        out.append(f"{j}public {c['name']}({args}) {{")
        for t, p in c["props"]:
            out.append(f"{j}    this.{p} = {p};")
        out.append(f"{j}}}")
    for t, p in c["props"]:
        g, s = accessor_names(t, p, c["style"])
        out.append("")
        out.append(f"{j}public {t} {g}() {{")
        out.append(f"{j}    return {p};")
        out.append(f"{j}}}")
        out.append("")
        out.append(f"{j}public void {s}({t} {p}) {{")
        out.append(f"{j}    this.{p} = {p};")
        out.append(f"{j}}}")
        if c["style"] == "bean":
            out.append("")
            out.append(f"{j}public {c['name']} with{cap(p)}({t} {p}) {{")
            out.append(f"{j}    this.{p} = {p};")
            out.append(f"{j}    return this;")
            out.append(f"{j}}}")
    if c["style"] == "lombok":
        b = c["name"] + "Builder"
        out.append("")
        out.append(f"{j}public static {b} builder() {{")
        out.append(f"{j}    return new {b}();")
        out.append(f"{j}}}")
        out.append("")
        out.append(f"{j}public static class {b} {{")
        out.append(f"{j}    private final {c['name']} built = new {c['name']}();")
        for t, p in c["props"]:
            out.append("")
            out.append(f"{j}    public {b} with{cap(p)}({t} {p}) {{")
            out.append(f"{j}        built.{p} = {p};")
            out.append(f"{j}        return this;")
            out.append(f"{j}    }}")
        out.append("")
        out.append(f"{j}    public {c['name']} build() {{")
        out.append(f"{j}        {c['name']} c = new {c['name']}();")
        for t, p in c["props"]:
            out.append(f"{j}        c.{p} = built.{p};")
        out.append(f"{j}        return c;")
        out.append(f"{j}    }}")
        out.append(f"{j}}}")
    # toString, equals and hashCode over the properties, as Lombok's @Data and AWS's classes have.
    out.append("")
    out.append(f"{j}@Override")
    out.append(f"{j}public String toString() {{")
    parts = " + \", \" + ".join(f"\"{p}: \" + {p}" for t, p in c["props"]) or "\"\""
    out.append(f"{j}    return \"{{\" + {parts} + \"}}\";")
    out.append(f"{j}}}")
    out.append("")
    out.append(f"{j}@Override")
    out.append(f"{j}public boolean equals(Object o) {{")
    out.append(f"{j}    if (this == o) return true;")
    out.append(f"{j}    if (o == null || o.getClass() != getClass()) return false;")
    if c["props"]:
        out.append(f"{j}    {c['name']} other = ({c['name']}) o;")
        conds = " && ".join(f"Objects.equals({p}, other.{p})" for t, p in c["props"])
        out.append(f"{j}    return {conds};")
    else:
        out.append(f"{j}    return true;")
    out.append(f"{j}}}")
    out.append("")
    out.append(f"{j}@Override")
    out.append(f"{j}public int hashCode() {{")
    out.append(f"{j}    return Objects.hash({', '.join(p for t, p in c['props'])});")
    out.append(f"{j}}}")
    out.append("")
    out.append(f"{j}@Override")
    out.append(f"{j}public {c['name']} clone() {{")
    out.append(f"{j}    try {{")
    out.append(f"{j}        return ({c['name']}) super.clone();")
    out.append(f"{j}    }} catch (CloneNotSupportedException e) {{")
    out.append(f"{j}        throw new IllegalStateException(\"Got a CloneNotSupportedException from Object.clone()\", e);")
    out.append(f"{j}    }}")
    out.append(f"{j}}}")
    if c["extra"]:
        out.append("")
        out.extend(j + line if line else "" for line in c["extra"].strip("\n").split("\n"))
    for n in c["nested"]:
        out.append("")
        out.extend(render(n, indent + 4, True))
    out.append(f"{i}}}")
    return out

def write(pkg_dir, package, c, imports=()):
    lines = [f"// Generated by runtimes/java/gen/events.py: Vajra's version of aws-lambda-java-events' {c['name']}.",
             f"package {package};", ""]
    for imp in sorted(set(["java.io.Serializable", "java.util.List", "java.util.Map", "java.util.Objects"] + list(imports))):
        lines.append(f"import {imp};")
    lines.append("")
    lines.extend(render(c, 0, False))
    os.makedirs(pkg_dir, exist_ok=True)
    with open(os.path.join(pkg_dir, c["name"] + ".java"), "w") as f:
        f.write("\n".join(lines) + "\n")

PKG = "com.amazonaws.services.lambda.runtime.events"

identity = cls("RequestIdentity", "bean", [(S, x) for x in (
    "cognitoIdentityPoolId", "accountId", "cognitoIdentityId", "caller", "apiKey", "principalOrgId", "sourceIp",
    "cognitoAuthenticationType", "cognitoAuthenticationProvider", "userArn", "userAgent", "user", "accessKey")])
proxy_ctx = cls("ProxyRequestContext", "bean", [
    (S, "accountId"), (S, "stage"), (S, "resourceId"), (S, "requestId"), (S, "operationName"),
    ("RequestIdentity", "identity"), (S, "resourcePath"), (S, "httpMethod"), (S, "apiId"), (S, "path"),
    (MSO, "authorizer"), (S, "extendedRequestId"), (S, "requestTime"), ("Long", "requestTimeEpoch"),
    (S, "domainName"), (S, "domainPrefix"), (S, "protocol")])
write(ROOT, PKG, cls("APIGatewayProxyRequestEvent", "bean", [
    (S, "version"), (S, "resource"), (S, "path"), (S, "httpMethod"), (MSS, "headers"), (MSL, "multiValueHeaders"),
    (MSS, "queryStringParameters"), (MSL, "multiValueQueryStringParameters"), (MSS, "pathParameters"),
    (MSS, "stageVariables"), ("ProxyRequestContext", "requestContext"), (S, "body"), ("Boolean", "isBase64Encoded")],
    nested=[proxy_ctx, identity], doc="An API Gateway REST API (payload format 1.0) proxy request."))
write(ROOT, PKG, cls("APIGatewayProxyResponseEvent", "bean", [
    ("Integer", "statusCode"), (MSS, "headers"), (MSL, "multiValueHeaders"), (S, "body"), ("Boolean", "isBase64Encoded")],
    doc="The response to an API Gateway REST API (payload format 1.0) proxy request."))

jwt = cls("JWT", "lombok", [(MSS, "claims"), (LS, "scopes")])
iam = cls("IAM", "lombok", [(S, "accessKey"), (S, "accountId"), (S, "callerId"), ("CognitoIdentity", "cognitoIdentity"),
    (S, "principalOrgId"), (S, "userArn"), (S, "userId")])
cog = cls("CognitoIdentity", "lombok", [(LS, "amr"), (S, "identityId"), (S, "identityPoolId")])
authz = cls("Authorizer", "lombok", [("JWT", "jwt"), (MSO, "lambda"), ("IAM", "iam")], nested=[jwt])
http = cls("Http", "lombok", [(S, "method"), (S, "path"), (S, "protocol"), (S, "sourceIp"), (S, "userAgent")])
v2ctx = cls("RequestContext", "lombok", [(S, "routeKey"), (S, "accountId"), (S, "stage"), (S, "apiId"), (S, "domainName"),
    (S, "domainPrefix"), (S, "time"), ("long", "timeEpoch"), ("Http", "http"), ("Authorizer", "authorizer"),
    (S, "requestId")], nested=[authz, http, iam, cog])
write(ROOT, PKG, cls("APIGatewayV2HTTPEvent", "lombok", [
    (S, "version"), (S, "routeKey"), (S, "rawPath"), (S, "rawQueryString"), (LS, "cookies"), (MSS, "headers"),
    (MSS, "queryStringParameters"), (MSS, "pathParameters"), (MSS, "stageVariables"), (S, "body"),
    ("boolean", "isBase64Encoded"), ("RequestContext", "requestContext")], nested=[v2ctx],
    doc="An HTTP API (payload format 2.0) or function URL request."))
write(ROOT, PKG, cls("APIGatewayV2HTTPResponse", "lombok", [
    ("int", "statusCode"), (MSS, "headers"), (MSL, "multiValueHeaders"), (LS, "cookies"), (S, "body"),
    ("boolean", "isBase64Encoded")], doc="The response to an HTTP API (payload format 2.0) or function URL request."))

write(ROOT, PKG, cls("ScheduledEvent", "bean", [
    (S, "version"), (S, "account"), (S, "region"), (MSO, "detail"), (S, "detailType"), (S, "source"), (S, "id"),
    ("Instant", "time"), (LS, "resources")],
    doc="An EventBridge (CloudWatch Events) scheduled event. time is a java.time.Instant (AWS's is a Joda DateTime)."),
    imports=["java.time.Instant"])

sqs_attr = cls("MessageAttribute", "bean", [(S, "stringValue"), ("ByteBuffer", "binaryValue"),
    (LS, "stringListValues"), ("List<ByteBuffer>", "binaryListValues"), (S, "dataType")])
sqs_msg = cls("SQSMessage", "bean", [(S, "messageId"), (S, "receiptHandle"), (S, "body"), (S, "md5OfBody"),
    (S, "md5OfMessageAttributes"), (S, "eventSourceArn"), (S, "eventSource"), (S, "awsRegion"), (MSS, "attributes"),
    ("Map<String, MessageAttribute>", "messageAttributes")])
write(ROOT, PKG, cls("SQSEvent", "bean", [("List<SQSMessage>", "records")], nested=[sqs_msg, sqs_attr],
    doc="A batch of SQS messages."), imports=["java.nio.ByteBuffer"])

sns_attr = cls("MessageAttribute", "bean", [(S, "type"), (S, "value")])
sns = cls("SNS", "bean", [("Map<String, MessageAttribute>", "messageAttributes"), (S, "signingCertUrl"), (S, "messageId"),
    (S, "message"), (S, "subject"), (S, "unsubscribeUrl"), (S, "type"), (S, "signatureVersion"), (S, "signature"),
    ("Instant", "timestamp"), (S, "topicArn")])
# SNSRecord's getter is getSNS() but its setter setSns(), as in AWS's class.
sns_rec = cls("SNSRecord", "bean", [(S, "eventVersion"), (S, "eventSource"), (S, "eventSubscriptionArn")], extra="""
private SNS sns;

public SNS getSNS() {
    return sns;
}

public void setSns(SNS sns) {
    this.sns = sns;
}

public SNSRecord withSns(SNS sns) {
    this.sns = sns;
    return this;
}""")
write(ROOT, PKG, cls("SNSEvent", "bean", [("List<SNSRecord>", "records")], nested=[sns_rec, sns, sns_attr],
    doc="SNS notifications. Timestamps are java.time.Instant (AWS's are Joda DateTime)."),
    imports=["java.time.Instant"])

S3PKG = PKG + ".models.s3"
S3DIR = os.path.join(ROOT, "models", "s3")
user = cls("UserIdentityEntity", "bean", [(S, "principalId")], ctor=True)
req = cls("RequestParametersEntity", "bean", [(S, "sourceIPAddress")], ctor=True)
resp = cls("ResponseElementsEntity", "bean", [(S, "xAmzId2"), (S, "xAmzRequestId")], ctor=True)
bucket = cls("S3BucketEntity", "bean", [(S, "name"), ("UserIdentityEntity", "ownerIdentity"), (S, "arn")], ctor=True)
obj = cls("S3ObjectEntity", "bean", [(S, "key"), ("Long", "size"), (S, "eTag"), (S, "versionId"), (S, "sequencer")],
    ctor=True, extra="""
/** The key with URL escapes (+ for space, %XX) decoded. */
public String getUrlDecodedKey() {
    if (key == null) return null;
    try {
        return java.net.URLDecoder.decode(key, "UTF-8");
    } catch (java.io.UnsupportedEncodingException e) {
        throw new IllegalStateException(e);
    }
}

public Long getSizeAsLong() {
    return size;
}""")
ent = cls("S3Entity", "bean", [(S, "configurationId"), ("S3BucketEntity", "bucket"), ("S3ObjectEntity", "object"),
    (S, "s3SchemaVersion")], ctor=True)
glacier = cls("GlacierEventDataEntity", "bean", [("RestoreEventDataEntity", "restoreEventData")], ctor=True)
restore = cls("RestoreEventDataEntity", "bean", [(S, "lifecycleRestorationExpiryTime"), (S, "lifecycleRestoreStorageClass")], ctor=True)
rec = cls("S3EventNotificationRecord", "bean", [(S, "awsRegion"), (S, "eventName"), (S, "eventSource"),
    ("Instant", "eventTime"), (S, "eventVersion"), ("RequestParametersEntity", "requestParameters"),
    ("ResponseElementsEntity", "responseElements"), ("S3Entity", "s3"), ("UserIdentityEntity", "userIdentity"),
    ("GlacierEventDataEntity", "glacierEventData")], ctor=True)
write(S3DIR, S3PKG, cls("S3EventNotification", "bean", [("List<S3EventNotificationRecord>", "records")], ctor=True,
    nested=[rec, ent, bucket, obj, user, req, resp, glacier, restore],
    doc="S3 event notification records. eventTime is a java.time.Instant (AWS's is a Joda DateTime)."),
    imports=["java.time.Instant"])

s3event = """// Generated by runtimes/java/gen/events.py: Vajra's version of aws-lambda-java-events' S3Event.
package com.amazonaws.services.lambda.runtime.events;

import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/** An S3 event notification: its records are S3EventNotification's. */
public class S3Event extends S3EventNotification implements Serializable, Cloneable {
    private static final long serialVersionUID = 1L;

    public S3Event() {
        super(new ArrayList<S3EventNotificationRecord>());
    }

    public S3Event(List<S3EventNotificationRecord> records) {
        super(records);
    }

    @Override
    public S3Event clone() {
        return (S3Event) super.clone();
    }
}
"""
with open(os.path.join(ROOT, "S3Event.java"), "w") as f:
    f.write(s3event)
