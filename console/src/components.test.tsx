import { describe, expect, it } from "vitest";
import { renderToStaticMarkup } from "react-dom/server";
import { ApiError } from "./lib/api.ts";
import { ErrorBox } from "./components.tsx";
import { splitText } from "./tabs/versions-tab.tsx";

describe("components", () => {
  it("shows an API error's code and message as an alert", () => {
    const html = renderToStaticMarkup(
      <ErrorBox error={new ApiError(400, "InvalidParameter", "memorySize must be an integer")} />,
    );
    expect(html).toContain('role="alert"');
    expect(html).toContain("<strong>InvalidParameter</strong>: memorySize must be an integer");
  });

  it("shows a thrown non-API error too, never nothing", () => {
    expect(renderToStaticMarkup(<ErrorBox error={new Error("boom")} />)).toContain("ConsoleError");
  });

  it("describes an alias's traffic split", () => {
    const alias = {
      name: "live",
      arn: "arn",
      functionVersion: "1",
      description: "",
      revisionId: "r",
      routingConfig: { additionalVersionWeights: { "2": 0.1 } },
    };
    expect(splitText(alias)).toBe("90% → 1, 10% → 2");
    expect(splitText({ ...alias, routingConfig: null })).toBe("100% → 1");
  });
});
