import { parentPort, workerData } from "node:worker_threads";
import { frozenConfig } from "../config/config.js";
import { createLogger, openDatabase } from "./runtime.js";
import type { WorkerThreadData } from "./serve.js";
import { startWorker } from "./worker.js";

/**
 * `serve` runs delivery on this worker thread so that SMTP sending (Nodemailer's CPU cost per
 * message) never competes with the thread answering the API. Messages from the parent:
 * "poke" (new mail was accepted) and "stop".
 */
const data = workerData as WorkerThreadData;
const config = frozenConfig(data.config);
const { sandboxPort } = data;
const logger = createLogger(config, "postbag");
const database = await openDatabase(config, logger);
const running = startWorker(config, database, logger, sandboxPort);
parentPort?.on("message", (msg: unknown) => {
  if (msg === "poke") running.worker.poke();
  if (msg === "stop") {
    void running
      .stop()
      .then(() => database.close())
      .then(() => parentPort?.postMessage("stopped"));
  }
});
parentPort?.postMessage("ready");
