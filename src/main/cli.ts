import { open } from "node:fs/promises";
import { parseArgs } from "node:util";
import type { MemberRole } from "../auth/people.js";
import { ConfigError, loadConfig, settingsMarkdown } from "../config/config.js";
import { ApiError } from "../errors/api-error.js";
import { createApiKey, createTenant, type Role, revokeKey, tenantRoles } from "../tenants/tenants.js";
import { systemClock } from "../time/clock.js";
import { createLogger, openDatabase } from "./startup.js";

const USAGE = `usage: postbag <command>

  serve [--no-api] [--no-worker] [--no-scheduler]
                                       API, delivery worker (own thread) and timed jobs in one process
  worker [--no-scheduler]              a delivery worker, webhooks and timed jobs (run as many as you like on PostgreSQL)
  migrate                              bring the database schema up to date
  tenant create --name N [--timezone TZ]                 prints the tenant id
  key create --tenant ID [--role system|staff|administrator] [--name N]
  key create --operator [--name N]                       prints the key once, as the last line
  key revoke ID                        revokes a key: refused from the next request on
  user invite --tenant ID --email E [--name N] [--role administrator|staff]
  operator invite --email E [--name N]                   print the invitation URL as the last line
  config                               prints every setting with its default and meaning
  bounces classify FILE…               classifies raw messages (DSN, ARF, auto-reply): one JSON line each
  domains check [--json]               the operator domain's DNS records (DKIM, SPF, DMARC) and whether they are published

Settings come from POSTBAG_* environment variables (see \`postbag config\`).`;

const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => resolve(signal);
    process.once("SIGTERM", () => done("SIGTERM"));
    process.once("SIGINT", () => done("SIGINT"));
  });
}

/** Runs one command; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    switch (command) {
      case "serve":
        return await runServe([sub, ...rest].filter((a): a is string => a !== undefined));
      case "worker":
        return await runWorker([sub, ...rest].filter((a): a is string => a !== undefined));
      case "migrate": {
        const config = loadConfig();
        const database = await openDatabase(config, createLogger(config, "postbag", "stderr"));
        await database.close();
        out("database is up to date");
        return 0;
      }
      case "tenant":
        if (sub !== "create") break;
        return await tenantCreate(rest);
      case "key":
        if (sub === "revoke") return await keyRevoke(rest);
        if (sub !== "create") break;
        return await keyCreate(rest);
      case "user":
        if (sub !== "invite") break;
        return await personInvite(rest, "user");
      case "operator":
        if (sub !== "invite") break;
        return await personInvite(rest, "operator");
      case "bounces":
        if (sub !== "classify") break;
        return await bouncesClassify(rest);
      case "domains":
        if (sub !== "check") break;
        return await domainsCheck(rest);
      case "config":
        out(settingsMarkdown());
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        out(USAGE);
        return command === undefined ? 2 : 0;
    }
    err(`unknown command: ${argv.join(" ")}\n\n${USAGE}`);
    return 2;
  } catch (e) {
    if (e instanceof ConfigError || e instanceof ApiError) {
      err(`postbag: ${e.message}`);
      return 1;
    }
    if (e instanceof TypeError && (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`postbag: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

async function runServe(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { "no-api": { type: "boolean" }, "no-worker": { type: "boolean" }, "no-scheduler": { type: "boolean" } },
    strict: true,
  });
  const config = loadConfig();
  // Loaded on demand: the HTTP stack costs every other command half a second of start-up.
  const { serve } = await import("./serve.js");
  const logger = createLogger(config, "postbag");
  const database = await openDatabase(config, logger);
  const served = await serve(config, database, logger, {
    api: !values["no-api"],
    worker: !values["no-worker"],
    scheduler: !values["no-scheduler"],
    out,
  });
  const signal = await waitForSignal();
  logger.info({ signal }, "shutting down");
  await served.stop();
  await database.close();
  return 0;
}

/** Prints the operator domain's records; exit 0 when the DKIM record is published, 1 when not. */
async function domainsCheck(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { json: { type: "boolean" } }, strict: true });
  const config = loadConfig();
  const { checkOperatorDomain, formatDomainCheck } = await import("../domains/operator-domain.js");
  const { createDnsLookup, operatorDkimKey } = await import("./runtime.js");
  const key = operatorDkimKey(config);
  const check = await checkOperatorDomain(createDnsLookup(config), {
    domain: config.senderDomain,
    selector: config.dkim.selector,
    publicKey: key.publicKey,
    spfInclude: config.spfInclude,
  });
  out(
    values.json
      ? JSON.stringify({
          domain: check.domain,
          records: check.records.map((r) => ({
            type: r.type,
            name: r.name,
            value: r.value,
            status: r.status,
            purpose: r.purpose,
            required: r.required,
            found: r.found,
          })),
        })
      : formatDomainCheck(check),
  );
  return check.records.some((r) => r.purpose === "dkim" && r.status === "ok") ? 0 : 1;
}

async function runWorker(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { "no-scheduler": { type: "boolean" } }, strict: true });
  const config = loadConfig();
  const { startWorker } = await import("./worker.js");
  const { startJobs, startWebhookSender } = await import("./jobs.js");
  const { createProcessMetrics, startMetricsServer } = await import("./metrics-server.js");
  const logger = createLogger(config, "postbag");
  const database = await openDatabase(config, logger);
  const metrics = createProcessMetrics(database);
  const running = startWorker(config, database, logger, config.sandboxSmtpPort, metrics);
  const webhooks = startWebhookSender(config, database, systemClock, logger);
  const jobs = values["no-scheduler"]
    ? undefined
    : startJobs(config, database, systemClock, logger, { metrics, onFanoutChunk: () => running.worker.poke() });
  const server = config.metricsListen
    ? await startMetricsServer({
        ...config.metricsListen,
        token: config.metricsToken,
        logger,
        render: () => metrics.registry.metrics(),
      })
    : undefined;
  if (server) logger.info({ url: `${server.url}/metrics` }, "metrics listening");
  const signal = await waitForSignal();
  logger.info({ signal }, "worker shutting down");
  await server?.close();
  await jobs?.stop();
  await webhooks.stop();
  await running.stop();
  await database.close();
  return 0;
}

async function withDatabase<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const database = await openDatabase(config, createLogger(config, "postbag", "stderr"));
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

async function tenantCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { name: { type: "string" }, timezone: { type: "string" } },
    strict: true,
  });
  if (!values.name) {
    err("postbag: tenant create needs --name");
    return 2;
  }
  const tenant = await withDatabase((database) =>
    createTenant(database.db, systemClock, { name: values.name ?? "", timezone: values.timezone }),
  );
  out(tenant.id);
  return 0;
}

async function keyCreate(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      tenant: { type: "string" },
      operator: { type: "boolean" },
      role: { type: "string" },
      name: { type: "string" },
    },
    strict: true,
  });
  // `operator` is undefined, not false, when the flag is absent.
  if ((values.operator === true) === (values.tenant !== undefined)) {
    err("postbag: key create needs exactly one of --tenant ID or --operator");
    return 2;
  }
  let role: Role = "operator";
  if (!values.operator) {
    const wanted = values.role ?? "system";
    if (!(tenantRoles as readonly string[]).includes(wanted)) {
      err(`postbag: --role must be one of ${tenantRoles.join(", ")}`);
      return 2;
    }
    role = wanted as Role;
  } else if (values.role !== undefined) {
    err("postbag: --role is for tenant keys; operator keys have the operator role");
    return 2;
  }
  const created = await withDatabase((database) =>
    createApiKey(database.db, systemClock, { tenantId: values.tenant ?? null, role, name: values.name }),
  );
  err(
    `created ${created.role} key ${created.id}${created.tenantId ? ` for tenant ${created.tenantId}` : ""}; it is shown only once:`,
  );
  out(created.key);
  return 0;
}

async function keyRevoke(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, allowPositionals: true, strict: true });
  const [id] = positionals;
  if (!id || positionals.length !== 1) {
    err("postbag: key revoke needs exactly one key ID");
    return 2;
  }
  const revoked = await withDatabase((database) => revokeKey(database.db, "any", id, systemClock.now()));
  if (!revoked) {
    err(`postbag: no key ${id.slice(0, 40)}`);
    return 1;
  }
  out(`revoked key ${revoked.id}${revoked.tenantId ? ` of tenant ${revoked.tenantId}` : " (operator)"}`);
  return 0;
}

async function personInvite(args: string[], kind: "user" | "operator"): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: "string" },
      name: { type: "string" },
      ...(kind === "user" ? { tenant: { type: "string" as const }, role: { type: "string" as const } } : {}),
    },
    strict: true,
  });
  const v = values as { email?: string; name?: string; tenant?: string; role?: string };
  if (!v.email || (kind === "user" && !v.tenant)) {
    err(`postbag: ${kind} invite needs ${kind === "user" ? "--tenant ID and " : ""}--email E`);
    return 2;
  }
  const role = v.role ?? "staff";
  const memberRoles = ["administrator", "staff"];
  if (!memberRoles.includes(role)) {
    err(`postbag: --role must be one of ${memberRoles.join(", ")}`);
    return 2;
  }
  const config = loadConfig();
  // Loaded on demand, like serve: other commands do not pay for it at start-up.
  const { invite } = await import("../auth/invitations.js");
  const invited = await withDatabase((database) =>
    invite(database, config, systemClock.now(), {
      tenantId: kind === "user" ? (v.tenant ?? null) : null,
      email: v.email ?? "",
      name: v.name,
      role: kind === "user" ? (role as MemberRole) : undefined,
      actor: null,
    }),
  );
  err(
    `invited ${v.email}${kind === "user" ? ` to tenant ${v.tenant} as ${role}` : " as an operator"}; the link works once, within 7 days:`,
  );
  out(invited.invitationUrl);
  return 0;
}

/** Needs no config or database: an operator can run it on saved messages anywhere. */
async function bouncesClassify(files: string[]): Promise<number> {
  if (files.length === 0) {
    err("postbag: bounces classify needs at least one FILE");
    return 2;
  }
  const { classifyInbound, DEFAULT_MAX_BYTES } = await import("../mailboxes/classify-bounce.js");
  let failed = false;
  for (const file of files) {
    try {
      const raw = await readAtMost(file, DEFAULT_MAX_BYTES + 1);
      const { kind, recipients } = await classifyInbound(raw);
      out(JSON.stringify({ file, kind, recipients }));
    } catch (e) {
      failed = true;
      out(JSON.stringify({ file, error: e instanceof Error ? e.message : String(e) }));
    }
  }
  return failed ? 1 : 0;
}

/** The first `limit` bytes of a file: a huge file is judged too large without reading it whole. */
async function readAtMost(file: string, limit: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(Math.min(limit, (await handle.stat()).size || limit));
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}
