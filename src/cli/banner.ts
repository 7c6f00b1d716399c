// The "VAJRA" banner shown above the top-level help on a terminal. Kept out of pipes and --json output,
// where it would only be noise for scripts.

import type { Colors } from "./output.js";

const ART = [
  "__     ___       _ ____      _    ",
  "\\ \\   / / \\     | |  _ \\    / \\   ",
  " \\ \\ / / _ \\ _  | | |_) |  / _ \\  ",
  "  \\ V / ___ \\ |_| |  _ <  / ___ \\ ",
  "   \\_/_/   \\_\\___/|_| \\_\\/_/   \\_\\",
];

export function banner(colors: Colors, version: string): string {
  const art = ART.map((line) => colors.cyan(line.trimEnd())).join("\n");
  const tagline = colors.dim(`  self-hosted serverless that speaks AWS Lambda  ·  v${version}`);
  return `${art}\n${tagline}\n`;
}
