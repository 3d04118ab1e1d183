import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { invite } from "../auth/invitations.js";
import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import { checkOperatorDomain, isLocalDomain } from "../domains/operator-domain.js";
import { createApp } from "../http/app.js";
import { MessageWriter } from "../messages/message-store.js";
import { type MetricsSnapshot, renderAggregated } from "../metrics/metrics.js";
import { createNetworkPolicy } from "../network/network-policy.js";
import type { SmtpClientLimits } from "../network/slow-smtp-clients.js";
import { startCaptureServer } from "../sandbox/capture-server.js";
import { createApiKey, hasOperatorKey } from "../tenants/tenants.js";
import { systemClock } from "../time/clock.js";
import { fetchAccessToken } from "../transports/oauth2.js";
import { startSubmissionServer } from "../transports/smtp-submission.js";
import { consoleDistDir, ensureConsoleBuilt } from "./console-build.js";
import { startJobs, startWebhookSender } from "./jobs.js";
import { createProcessMetrics, startMetricsServer } from "./metrics-server.js";
import { createDnsLookup, operatorDkimKey } from "./runtime.js";

export interface ServeOptions {
  readonly api: boolean;
  readonly worker: boolean;
  readonly scheduler: boolean;
  /** Where to print the start-up banner (human text, not logs). */
  readonly out: (text: string) => void;
}

export interface Served {
  readonly url: string | undefined;
  /** The metrics listener's base URL, or undefined when POSTBAG_METRICS_LISTEN is off. */
  readonly metricsUrl: string | undefined;
  readonly sandboxPort: number | undefined;
  /** The SMTP submission port, when POSTBAG_SUBMISSION_PORT is set (and the API runs here). */
  readonly submissionPort: number | undefined;
  stop(): Promise<void>;
}

/** What the delivery worker thread starts from: the settings parsed once by the parent. */
export interface WorkerThreadData {
  /** A structured clone, so no longer frozen: the thread freezes it again. */
  readonly config: Config;
  readonly sandboxPort: number;
}

interface WorkerThread {
  poke(): void;
  /** The thread's metrics, or undefined if it does not answer in time (restarting, busy). */
  metrics(): Promise<MetricsSnapshot | undefined>;
  stop(): Promise<void>;
}

/** Messages between `serve` and its delivery worker thread (besides "ready", "poke", "stop", "stopped"). */
export interface MetricsRequest {
  readonly type: "metrics";
  readonly id: number;
}
export interface MetricsReply {
  readonly type: "metrics";
  readonly id: number;
  readonly snapshot: MetricsSnapshot;
}

const isMetricsReply = (msg: unknown): msg is MetricsReply =>
  typeof msg === "object" && msg !== null && (msg as { type?: unknown }).type === "metrics";

function startWorkerThread(config: Config, sandboxPort: number, logger: Logger): Promise<WorkerThread> {
  const workerData: WorkerThreadData = { config, sandboxPort };
  let thread: Worker;
  let exited = false;
  let stopping = false;
  let lastPoke = 0;
  let nextRequest = 0;
  const waiting = new Map<number, (snapshot: MetricsSnapshot | undefined) => void>();
  const spawn = (): Promise<void> =>
    new Promise((resolve, reject) => {
      let ready = false;
      exited = false;
      thread = new Worker(new URL("./worker-thread-entry.mjs", import.meta.url), { workerData });
      thread.on("message", (msg: unknown) => {
        if (isMetricsReply(msg)) waiting.get(msg.id)?.(msg.snapshot);
      });
      thread.once("message", (msg) => {
        if (msg !== "ready") return;
        ready = true;
        resolve();
      });
      thread.once("error", (err) => logger.error({ err }, "delivery worker thread failed"));
      thread.once("exit", (code) => {
        exited = true;
        if (!ready) {
          reject(new Error(`delivery worker thread exited with code ${code} while starting`));
          return;
        }
        if (stopping) return;
        // A crashed worker loses nothing (its leases expire and are claimed again); start a
        // fresh one. One that cannot even start is not retried in a loop.
        logger.error({ code }, "delivery worker thread exited; restarting in 1 s");
        setTimeout(() => {
          if (!stopping)
            spawn().catch((err: unknown) => logger.error({ err }, "delivery worker thread restart failed"));
        }, 1000).unref();
      });
    });
  return spawn().then(() => ({
    poke() {
      const now = Date.now();
      if (exited || now - lastPoke < 20) return;
      lastPoke = now;
      thread.postMessage("poke");
    },
    metrics() {
      if (exited) return Promise.resolve(undefined);
      const id = nextRequest++;
      return new Promise<MetricsSnapshot | undefined>((resolve) => {
        const timer = setTimeout(() => done(undefined), 2000);
        const done = (snapshot: MetricsSnapshot | undefined) => {
          clearTimeout(timer);
          waiting.delete(id);
          resolve(snapshot);
        };
        waiting.set(id, done);
        thread.postMessage({ type: "metrics", id } satisfies MetricsRequest);
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (exited) return resolve();
        thread.once("exit", () => resolve());
        thread.on("message", (msg) => (msg === "stopped" ? void thread.terminate() : undefined));
        thread.postMessage("stop");
      }),
  }));
}

/** `postbag serve`: the API, the delivery worker (on its own thread) and, in sandbox mode, the capture relay. */
export async function serve(
  config: Config,
  database: Database,
  logger: Logger,
  options: ServeOptions,
): Promise<Served> {
  const clock = systemClock;
  const stops: Array<() => Promise<void>> = [];
  let sandboxPort: number | undefined;
  if (!config.relay) {
    const capture = await startCaptureServer({
      database,
      clock,
      logger: logger.child({ component: "sandbox" }),
      port: config.sandboxSmtpPort,
      secretKey: config.secretKey,
      maxMessageBytes: config.maxMessageBytes,
      clientLimits: smtpClientLimits(config),
    });
    sandboxPort = capture.port;
    stops.push(() => capture.close());
    logger.warn({ port: capture.port }, "SANDBOX MODE: no POSTBAG_RELAY_URL set; mail is captured, never delivered");
  } else if (!config.publicUrl.startsWith("https://")) {
    // Unsubscribe links, List-Unsubscribe (RFC 8058 wants https) and the open pixel are built
    // from the public URL; mail providers ignore a one-click link that is not https.
    logger.warn(
      { publicUrl: config.publicUrl },
      "POSTBAG_PUBLIC_URL is not https: recipients' unsubscribe links and List-Unsubscribe headers will not be trusted by mail providers",
    );
  }

  // Generated on first run before the worker thread starts, so the thread only reads it.
  const dkimKey = operatorDkimKey(config);
  logOperatorDomain(config, dkimKey.publicKey, logger);

  let worker: WorkerThread | undefined;
  if (options.worker) {
    worker = await startWorkerThread(config, sandboxPort ?? config.sandboxSmtpPort, logger);
    stops.unshift(() => worker?.stop() ?? Promise.resolve());
  }

  if (options.worker) {
    const webhooks = startWebhookSender(config, database, clock, logger);
    stops.push(() => webhooks.stop());
  }

  const metrics = createProcessMetrics(database);
  if (options.scheduler) {
    const jobs = startJobs(config, database, clock, logger, {
      metrics,
      ...(worker ? { onFanoutChunk: () => worker?.poke() } : {}),
    });
    stops.push(() => jobs.stop());
  }

  let url: string | undefined;
  let submissionPort: number | undefined;
  if (options.api) {
    const writer = new MessageWriter({ database, clock, messageIdDomain: config.senderDomain });
    const policy = createNetworkPolicy(config);
    // A missing or stale console is built in the background: the API does not wait for it. Under
    // the tests (VITEST), the browser tests build it themselves; other tests need no console.
    if (!process.env.VITEST)
      ensureConsoleBuilt((line) => logger.info({ component: "console" }, line)).catch((err: unknown) =>
        logger.error({ component: "console", err }, "the web console could not be built; / shows a notice"),
      );
    const app = await createApp({
      consoleDir: consoleDistDir,
      database,
      clock,
      config,
      logger,
      writer,
      networkPolicy: policy,
      fetchAccessToken: (grant) => fetchAccessToken(grant, { policy, clock }),
      ...(worker ? { onAccepted: () => worker?.poke() } : {}),
      onRequestTimed: (method, route, status, seconds) => metrics.request(method, route, status, seconds),
    });
    url = await app.listen({ host: config.httpHost, port: config.httpPort });
    // SMTP submission shares the API's writer: the same group commits, the same pipeline.
    const submission = config.submission
      ? await startSubmissionServer({
          database,
          clock,
          logger: logger.child({ component: "submission" }),
          writer,
          settings: config.submission,
          limits: {
            maxMessageBytes: config.maxMessageBytes,
            maxRecipients: config.maxRecipients,
            senderDomain: config.senderDomain,
            secretKey: config.secretKey,
            allowAddressLiterals: config.allowAddressLiterals,
          },
          ...(worker ? { onAccepted: () => worker?.poke() } : {}),
          clientLimits: smtpClientLimits(config),
        })
      : undefined;
    if (submission && config.submission) {
      submissionPort = submission.port;
      logger.info(
        {
          host: config.submission.host,
          port: submission.port,
          tls: config.submission.secure,
          certificate: !!config.submission.tlsCertFile,
        },
        "SMTP submission listening",
      );
    }
    // Stop taking requests first, then let the writer commit what it already accepted.
    stops.unshift(async () => {
      await submission?.close();
      await app.close();
      await writer.whenIdle();
    });
  }

  let metricsUrl: string | undefined;
  if (config.metricsListen) {
    const server = await startMetricsServer({
      ...config.metricsListen,
      token: config.metricsToken,
      logger,
      render: async () => {
        const thread = await worker?.metrics();
        return renderAggregated(metrics, thread ? [thread] : []);
      },
    });
    metricsUrl = server.url;
    stops.push(() => server.close());
  }

  const firstKey = (await hasOperatorKey(database.db))
    ? undefined
    : await createApiKey(database.db, clock, { tenantId: null, role: "operator", name: "first operator key" });
  // The first start also invites the first operator person, to sign in to the console.
  const firstInvitation = firstKey
    ? await invite(database, config, clock.now(), {
        tenantId: null,
        email: `operator@${config.senderDomain}`,
        name: "Operator",
        actor: null,
        mail: false,
      })
    : undefined;
  options.out(
    banner(config, url, sandboxPort, firstKey?.key, metricsUrl, firstInvitation?.invitationUrl, submissionPort),
  );

  return {
    url,
    metricsUrl,
    sandboxPort,
    submissionPort,
    async stop() {
      for (const stop of stops) await stop();
    },
  };
}

/**
 * Logs the records the operator's domain must publish and whether they are, in the background:
 * start-up never waits on DNS. Skipped in sandbox mode and for `.localhost` domains.
 */
function logOperatorDomain(config: Config, publicKey: string, logger: Logger): void {
  if (!config.relay || isLocalDomain(config.senderDomain)) return;
  const settings = {
    domain: config.senderDomain,
    selector: config.dkim.selector,
    publicKey,
    spfInclude: config.spfInclude,
  };
  const log = logger.child({ component: "domains" });
  checkOperatorDomain(createDnsLookup(config), settings).then(
    (check) => {
      for (const r of check.records) {
        const line = { type: r.type, name: r.name, value: r.value, status: r.status, found: r.found };
        if (r.status === "ok") log.info(line, `DNS record ${r.purpose}: ok`);
        else log.warn(line, `DNS record ${r.purpose}: ${r.status}; publish it (npx postbag domains check)`);
      }
    },
    (err: unknown) => log.warn({ err }, "could not check the sending domain's DNS records"),
  );
}

function banner(
  config: Config,
  url: string | undefined,
  sandboxPort: number | undefined,
  operatorKey: string | undefined,
  metricsUrl: string | undefined,
  invitationUrl?: string | undefined,
  submissionPort?: number,
): string {
  const base = url ?? config.publicUrl;
  const lines = [
    "",
    `Postbag is running${url ? ` at ${url}` : " (no API in this process)"}  (database: ${config.databaseUrl.replace(/\/\/[^@/]*@/, "//…@")})`,
  ];
  if (submissionPort !== undefined && config.submission) {
    lines.push(
      `SMTP submission on ${config.submission.host}:${submissionPort} (${config.submission.secure === "implicit" ? "implicit TLS" : config.submission.tlsCertFile ? "STARTTLS" : "no TLS certificate: loopback clients only"}); log in with an API key`,
    );
  }
  if (metricsUrl) lines.push(`Prometheus metrics: ${metricsUrl}/metrics`);
  if (sandboxPort !== undefined) {
    lines.push(
      `SANDBOX MODE: no POSTBAG_RELAY_URL is set, so mail goes to the built-in capture relay on 127.0.0.1:${sandboxPort}`,
      "and is never delivered. List what was captured: GET /v1/sandbox/messages",
    );
  }
  if (operatorKey) {
    lines.push(
      "",
      "First start: an operator key was created. It is shown only this once; keep it safe:",
      `  OPERATOR_KEY=${operatorKey}`,
      "",
      "Create a tenant and a key for it, then send a first message:",
      `  curl -s -X POST ${base}/v1/operator/tenants -H "Authorization: Bearer $OPERATOR_KEY" -H 'content-type: application/json' -d '{"name":"Oakwood Primary"}'`,
      `  curl -s -X POST ${base}/v1/operator/tenants/<tenant id>/keys -H "Authorization: Bearer $OPERATOR_KEY" -H 'content-type: application/json' -d '{}'`,
      `  curl -s -X POST ${base}/v1/messages -H "Authorization: Bearer <tenant key>" -H 'content-type: application/json' \\`,
      `    -d '{"to":["parent@example.com"],"subject":"Hello","text":"First message","category":"announcement"}'`,
      // Only the sandbox captures mail; with a relay the message really goes out.
      ...(sandboxPort !== undefined
        ? [`  curl -s ${base}/v1/sandbox/messages -H "Authorization: Bearer <tenant key>"`]
        : []),
      "(or from a shell: npx postbag tenant create --name N, npx postbag key create --tenant ID)",
    );
    if (invitationUrl) {
      lines.push(
        "",
        `Or use the console: open this invitation (it works once, within 7 days) and choose a password; you sign in as operator@${config.senderDomain}:`,
        `  ${invitationUrl}`,
      );
    }
  }
  lines.push(`API reference: ${base}/openapi.json`, "");
  return lines.join("\n");
}

/** Slow clients on Postbag's SMTP listeners: the handshake and the message's arrival rate. */
function smtpClientLimits(config: Config): SmtpClientLimits {
  return { handshakeTimeoutMs: config.smtpHandshakeTimeoutMs, minBytesPerSecond: config.bodyMinBytesPerSecond };
}
