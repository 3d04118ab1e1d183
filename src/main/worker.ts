import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import { type DeliveryObserver, DeliveryWorker } from "../delivery/worker.js";
import { systemClock } from "../time/clock.js";
import { createDkimSigner, createRelayTransport, createTenantTransports, workerSettings } from "./runtime.js";

export interface RunningWorker {
  readonly worker: DeliveryWorker;
  stop(): Promise<void>;
}

/** Starts a delivery worker on this thread, delivering through the relay (or the sandbox). */
export function startWorker(
  config: Config,
  database: Database,
  logger: Logger,
  sandboxPort: number,
  observer?: DeliveryObserver,
): RunningWorker {
  const transport = createRelayTransport(config, sandboxPort, logger);
  // In sandbox mode every email is captured, own-account mail included: nothing leaves.
  const tenantTransports = config.relay ? createTenantTransports(config, database, systemClock, logger) : undefined;
  const worker = new DeliveryWorker({
    database,
    clock: systemClock,
    transport,
    signer: createDkimSigner(config, database, systemClock, logger),
    ...(tenantTransports ? { tenantTransports } : {}),
    settings: workerSettings(config),
    logger: logger.child({ component: "worker" }),
    ...(observer ? { observer } : {}),
  });
  worker.start();
  logger.info(
    {
      owner: worker.owner,
      relay: config.relay ? `${config.relay.host}:${config.relay.port}` : `sandbox 127.0.0.1:${sandboxPort}`,
    },
    "delivery worker started",
  );
  return {
    worker,
    async stop() {
      await worker.stop(config.shutdownGraceMs);
      await transport.close();
      await tenantTransports?.close();
    },
  };
}
