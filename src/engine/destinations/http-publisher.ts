// Delivers destination records to an HTTP(S) webhook: a POST of the JSON record. Any 2xx is accepted;
// anything else (or no answer) is retried by the outbox. Credentials in the URL become a Basic
// Authorization header, since fetch refuses URLs that carry them.

import { withTimeout, PUBLISH_TIMEOUT_MS, type DestinationPublisher } from "./publisher.js";
import { maskDestination } from "../../core/destination.js";

export class HttpPublisher implements DestinationPublisher {
  readonly kind = "http";

  async publish(uri: string, body: Buffer): Promise<void> {
    const url = new URL(uri);
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (url.username !== "" || url.password !== "") {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`;
      url.username = "";
      url.password = "";
    }
    const res = await withTimeout(
      uri,
      fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(PUBLISH_TIMEOUT_MS) }),
    );
    // Drain the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299)
      throw new Error(`${maskDestination(uri)} answered HTTP ${res.status}`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
