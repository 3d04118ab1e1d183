import { readlinkSync } from "node:fs";
import { setPriority } from "node:os";
import { parentPort, workerData } from "node:worker_threads";
import { frozenConfig } from "../config/config.js";
import { Metrics } from "../metrics/metrics.js";
import type { MetricsReply, MetricsRequest, WorkerThreadData } from "./serve.js";
import { createLogger, openDatabase } from "./startup.js";
import { startWorker } from "./worker.js";

/**
 * `serve` runs delivery on this worker thread so that SMTP sending (Nodemailer's CPU cost per
 * message) never competes with the thread answering the API. Messages from the parent:
 * "poke" (new mail was accepted), "stop", and `{type: "metrics", id}` (answered with this
 * thread's metrics as JSON, which the parent adds to its own for `/metrics`).
 *
 * The thread runs at a lower priority than the API's (nice 10 on Linux, where each thread has
 * its own): when the CPU is short, a request is answered first and a send waits a moment, as
 * a queue of outgoing mail can; in a quiet moment the thread still has a core to itself.
 */
const DELIVERY_NICE = 10;

function lowerThisThreadsPriority(): void {
  try {
    // "/proc/thread-self" links to "<pid>/task/<this thread's id>".
    const tid = Number(readlinkSync("/proc/thread-self").split("/").pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, DELIVERY_NICE);
  } catch {
    // Not Linux, or not allowed: the thread keeps the process's priority.
  }
}

lowerThisThreadsPriority();
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
