import { parentPort, workerData } from "node:worker_threads";
import { frozenConfig } from "../config/config.js";
import { Metrics } from "../metrics/metrics.js";
import { createLogger, openDatabase } from "./runtime.js";
import type { MetricsReply, MetricsRequest, WorkerThreadData } from "./serve.js";
import { startWorker } from "./worker.js";

/**
 * `serve` runs delivery on this worker thread so that SMTP sending (Nodemailer's CPU cost per
 * message) never competes with the thread answering the API. Messages from the parent:
 * "poke" (new mail was accepted), "stop", and `{type: "metrics", id}` (answered with this
 * thread's metrics as JSON, which the parent adds to its own for `/metrics`).
 */
const data = workerData as WorkerThreadData;
const config = frozenConfig(data.config);
const { sandboxPort } = data;
const logger = createLogger(config, "postbag");
const database = await openDatabase(config, logger);
const metrics = new Metrics();
const running = startWorker(config, database, logger, sandboxPort, metrics);
parentPort?.on("message", (msg: unknown) => {
  if (typeof msg === "object" && msg !== null && (msg as MetricsRequest).type === "metrics") {
    const { id } = msg as MetricsRequest;
    void metrics
      .snapshot()
      .then((snapshot) => parentPort?.postMessage({ type: "metrics", id, snapshot } satisfies MetricsReply));
  }
  if (msg === "poke") running.worker.poke();
  if (msg === "stop") {
    void running
      .stop()
      .then(() => database.close())
      .then(() => parentPort?.postMessage("stopped"));
  }
});
parentPort?.postMessage("ready");
