// `GET /doctor`: the server's own host checks (sandbox pieces, runtime families, what to install), as
// `vajra doctor` computes them, for the console's Server page and `vajra doctor --server`. Read-only;
// the checks run on each request (they read the host as it is now, e.g. after an apt-get install).

import type { FastifyInstance } from "fastify";
import { doctorReport } from "../core/host-checks.js";
import type { Platform } from "../engine/platform.js";

export function registerDoctorRoutes(app: FastifyInstance, platform: Platform): void {
  app.get("/doctor", async () => doctorReport(await platform.hostChecks()));
}
