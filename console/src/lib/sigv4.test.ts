import { describe, expect, it, vi } from "vitest";
import { amzDate, canonicalPath, signRequest } from "./sigv4.ts";
import { checkKeyPairInput, signInWithKeyPair } from "./key-pair.ts";
import { ApiError } from "./api.ts";

describe("SigV4 signing in the browser", () => {
  // AWS's published test vector "get-vanilla" (aws-sig-v4-test-suite): GET / at example.amazonaws.com.
  it("reproduces AWS's get-vanilla signature", async () => {
    const headers = await signRequest({
      method: "GET",
      url: "https://example.amazonaws.com/",
      body: "",
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      region: "us-east-1",
      service: "service",
      now: new Date(Date.UTC(2015, 7, 30, 12, 36, 0)),
    });
    expect(headers["x-amz-date"]).toBe("20150830T123600Z");
    expect(headers.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
    expect(headers.host).toBeUndefined();
  });

  it("signs the caller's headers and a different body differently", async () => {
    const base = {
      method: "POST",
      url: "http://127.0.0.1:8700/sessions",
      headers: { "Content-Type": "application/json" },
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      region: "us-east-1",
      service: "vajra",
      now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
    };
    const a = await signRequest({ ...base, body: "{}" });
    const b = await signRequest({ ...base, body: "{ }" });
    expect(a.authorization).toContain("SignedHeaders=content-type;host;x-amz-date,");
    expect(a["content-type"]).toBe("application/json");
    expect(a.authorization).not.toBe(b.authorization);
  });

  it("normalises the path and formats the date", () => {
    expect(canonicalPath("/a/./b/../c//d%3A")).toBe("/a/c/d%253A");
    expect(canonicalPath("/")).toBe("/");
    expect(amzDate(new Date(Date.UTC(2026, 11, 31, 23, 59, 58, 999)))).toBe("20261231T235958Z");
  });
});

describe("access key pair form", () => {
  const secret = "a".repeat(40);
  it("accepts an AKIA id of 20 characters and a 40-character secret", () => {
    expect(checkKeyPairInput(" AKIAABCDEFGHIJKLMNOP ", secret)).toBeUndefined();
  });
  it("names the field and the rule it breaks", () => {
    expect(checkKeyPairInput("", secret)).toMatchObject({ field: "accessKeyId" });
    expect(checkKeyPairInput("ASIAABCDEFGHIJKLMNOP", secret)?.message).toMatch(/temporary session/);
    expect(checkKeyPairInput("AKIDABCDEFGHIJKLMNOP", secret)?.message).toMatch(/starts with AKIA/);
    expect(checkKeyPairInput("AKIAABC", secret)?.message).toMatch(/20 characters.*has 7/);
    expect(checkKeyPairInput("AKIAabcdefghijklmnop", secret)?.field).toBe("accessKeyId");
    expect(checkKeyPairInput("AKIAABCDEFGHIJKLMNOP", "")).toMatchObject({ field: "secretAccessKey" });
    expect(checkKeyPairInput("AKIAABCDEFGHIJKLMNOP", "short")?.message).toMatch(/40 characters.*has 5/);
    expect(checkKeyPairInput("AKIAABCDEFGHIJKLMNOP", "a".repeat(20) + " " + "a".repeat(19))?.field).toBe(
      "secretAccessKey",
    );
  });
});

describe("access key pair sign-in outside a secure context", () => {
  it("says why instead of failing inside WebCrypto, and sends nothing", async () => {
    const fetchSpy = vi.fn();
    vi.stubGlobal("fetch", fetchSpy);
    vi.stubGlobal("crypto", {});
    try {
      const err: unknown = await signInWithKeyPair(
        "http://192.0.2.10:8700",
        "AKIAIOSFODNN7EXAMPLE",
        "x".repeat(40),
      ).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe("InsecureContext");
      expect((err as ApiError).message).toContain("HTTPS");
      expect(fetchSpy).not.toHaveBeenCalled();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
