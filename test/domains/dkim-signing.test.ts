import { authenticate } from "mailauth";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DeliveryWorker } from "../../src/delivery/worker.js";
import { generateDkimKey } from "../../src/domains/dkim-key.js";
import { DkimSigner } from "../../src/domains/dkim-signer.js";
import { createTxtLookup } from "../../src/domains/dns-check.js";
import type { DomainView } from "../../src/domains/domain-store.js";
import { domainRecheck } from "../../src/scheduler/domain-recheck.js";
import { describeEachDialect } from "../support/databases.js";
import { newTestWorker, silentLogger, workerSettings } from "../support/delivery.js";
import { startTestDnsServer, type TestDnsServer } from "../support/dns-server.js";
import { addUser, noticesOf } from "../support/notices.js";
import { startTestSmtpServer, type TestSmtpServer } from "../support/smtp-test-server.js";
import { json, openTestApp, type TestApp, type TestTenant, validMessage } from "../support/test-app.js";

const OPERATOR_DOMAIN = "postbag-mail.net";
const SELECTOR = "pb2026";

describeEachDialect("DKIM signing, verified by mailauth against a real DNS server", (dialect) => {
  let t: TestApp;
  let dns: TestDnsServer;
  let smtp: TestSmtpServer;
  let worker: DeliveryWorker;
  let close: () => Promise<void>;
  const operatorKey = generateDkimKey();

  beforeAll(async () => {
    dns = await startTestDnsServer();
    smtp = await startTestSmtpServer();
    t = await openTestApp(dialect, {
      env: {
        POSTBAG_DNS_SERVERS: dns.address,
        POSTBAG_SENDER_DOMAIN: OPERATOR_DOMAIN,
        POSTBAG_DKIM_SELECTOR: SELECTOR,
      },
    });
    dns.setTxt(`${SELECTOR}._domainkey.${OPERATOR_DOMAIN}`, [`v=DKIM1; k=rsa; p=${operatorKey.publicKey}`]);
    dns.setTxt(`_dmarc.${OPERATOR_DOMAIN}`, ["v=DMARC1; p=reject"]);
    const built = newTestWorker({ database: t.database, clock: t.clock, server: smtp });
    await built.worker.stop(0);
    worker = new DeliveryWorker({
      database: t.database,
      clock: t.clock,
      transport: built.transport,
      settings: workerSettings(),
      logger: silentLogger,
      signer: new DkimSigner({
        database: t.database,
        clock: t.clock,
        logger: silentLogger,
        secretKey: t.config.secretKey,
        operator: { domain: OPERATOR_DOMAIN, selector: SELECTOR, privateKeyPem: operatorKey.privateKeyPem },
      }),
    });
    close = () => built.transport.close();
  });
  afterAll(async () => {
    await close?.();
    await smtp?.close();
    await t?.close();
    await dns?.close();
  });

  async function sendAndDeliver(tenant: TestTenant, payload: Record<string, unknown>) {
    const res = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage(payload),
    });
    expect(res.statusCode, res.body).toBe(202);
    const before = smtp.messages.length;
    await worker.runOnce();
    const [received] = (await smtp.waitForMessages(before + 1, 20_000)).slice(before);
    if (!received) throw new Error("nothing delivered");
    return received;
  }

  async function check(raw: Buffer, mailFrom: string) {
    const result = await authenticate(raw, {
      ip: "127.0.0.1",
      helo: "relay.postbag-mail.net",
      sender: mailFrom,
      mta: "mx.example.com",
      resolver: dns.resolver() as never,
    });
    const dkim = result.dkim.results.map((r) => ({ domain: r.signingDomain, result: r.status.result }));
    return { dkim, dmarc: result.dmarc ? result.dmarc.status.result : null };
  }

  it("operator-domain mail and verified tenant-domain mail pass DKIM and DMARC; removed records fall back to the operator's domain", async () => {
    const tenant = await t.newTenant();
    await addUser(t.db, tenant.id, "administrator", "head@oakwood-primary.org");

    // noreply@ the operator's domain, signed with the operator's key, aligned.
    const plain = await sendAndDeliver(tenant, {});
    expect(plain.raw.toString("latin1")).toMatch(
      /^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=postbag-mail\.net;/,
    );
    expect(await check(plain.raw, plain.mailFrom)).toEqual({
      dkim: [{ domain: OPERATOR_DOMAIN, result: "pass" }],
      dmarc: "pass",
    });

    // A verified tenant domain: its own key, DMARC-aligned with its From.
    const added = await t.inject({
      method: "POST",
      url: "/v1/domains",
      headers: tenant.auth("administrator"),
      payload: { domain: "oakwood-primary.org" },
    });
    const domain = json<DomainView>(added);
    const dkimRecord = domain.records.find((r) => r.purpose === "dkim");
    if (!dkimRecord) throw new Error("no DKIM record");
    dns.setTxt(dkimRecord.name, [dkimRecord.value]);
    dns.setTxt("_dmarc.oakwood-primary.org", ["v=DMARC1; p=reject"]);
    const verified = await t.inject({
      method: "POST",
      url: `/v1/domains/${domain.id}/verify`,
      headers: tenant.auth("administrator"),
    });
    expect(json<DomainView>(verified).status).toBe("verified");
    const own = await sendAndDeliver(tenant, { from: { email: "office@oakwood-primary.org", name: "Oakwood Office" } });
    expect(await check(own.raw, own.mailFrom)).toEqual({
      dkim: [{ domain: "oakwood-primary.org", result: "pass" }],
      dmarc: "pass",
    });
    // Signed once, before the body: one signature, the message otherwise as rendered.
    expect(own.raw.toString("latin1").match(/^DKIM-Signature:/gim)).toHaveLength(1);

    // A tampered body fails, so the check above is not vacuous.
    const tampered = Buffer.from(own.raw.toString("latin1").replace("packed lunches", "packed dinners"), "latin1");
    // (mailauth calls a body hash mismatch "neutral": anything but pass will do.)
    const broken = await check(tampered, own.mailFrom);
    expect(broken.dkim[0]?.result).not.toBe("pass");
    expect(broken.dmarc).toBe("fail");

    // The record disappears: the daily re-check marks the domain failed and tells the administrators.
    dns.remove(dkimRecord.name);
    const job = domainRecheck(
      t.database,
      t.clock,
      createTxtLookup([dns.address]),
      {
        secretKey: t.config.secretKey,
        operatorDomain: OPERATOR_DOMAIN,
        spfInclude: undefined,
        notices: { senderDomain: OPERATOR_DOMAIN, publicUrl: "http://postbag.test" },
      },
      silentLogger,
    );
    await job.run();
    const after = await t.inject({ method: "GET", url: `/v1/domains/${domain.id}`, headers: tenant.auth() });
    expect(json<DomainView>(after)).toMatchObject({ status: "failed", records: [{ status: "missing" }, {}] });
    const notices = await noticesOf(t.db, tenant.id);
    expect(notices.map((n) => [n.to, n.subject])).toEqual([
      [["head@oakwood-primary.org"], "Action needed: oakwood-primary.org is no longer verified"],
    ]);
    await job.run();
    expect(await noticesOf(t.db, tenant.id)).toHaveLength(1);

    // Its From is refused again; mail without a From goes as noreply@ the operator's domain.
    const refused = await t.inject({
      method: "POST",
      url: "/v1/messages",
      headers: tenant.auth(),
      payload: validMessage({ from: "office@oakwood-primary.org" }),
    });
    expect(refused.statusCode).toBe(400);
    // The notice goes out first (signed as the operator, like all Postbag's own mail).
    const count = smtp.messages.length;
    await worker.runOnce();
    const [notice] = (await smtp.waitForMessages(count + 1, 20_000)).slice(count);
    expect(notice?.raw.toString("latin1")).toMatch(/^Subject: Action needed/m);
    const fallback = await sendAndDeliver(tenant, {});
    expect(fallback.raw.toString("latin1")).toMatch(/^From: noreply@postbag-mail\.net/m);
    expect(await check(fallback.raw, fallback.mailFrom)).toEqual({
      dkim: [{ domain: OPERATOR_DOMAIN, result: "pass" }],
      dmarc: "pass",
    });
  });
});
