// The time arguments of log searches (`--since 1h`, `--until 2026-01-01T10:00:00Z`, epoch milliseconds),
// read one way by the native API so the CLI and curl users get the same answers.

/** Epoch ms for `text`: a duration ago (`90s`, `15m`, `1h`, `2d`, `1w`), an ISO date, or epoch ms. */
export function parseLogTime(text: string, now: number): number | undefined {
  const t = text.trim();
  const rel = /^(\d+)\s*(s|m|h|d|w)$/.exec(t);
  if (rel !== null) {
    const unit = { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3 }[rel[2] as "s"];
    return now - Number(rel[1]) * unit;
  }
  if (/^\d{10,}$/.test(t)) return Number(t);
  if (/^\d{4}-\d\d-\d\d/.test(t)) {
    const ms = Date.parse(t);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}
