import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dkimPublicKeyOf } from "../../src/domains/dkim-key.js";
import { startTestDnsServer, type TestDnsServer } from "../support/dns-server.js";
import { runCli } from "../support/postbag-process.js";

interface Check {
  domain: string;
  records: { type: string; name: string; value: string; status: string; purpose: string }[];
}

let dns: TestDnsServer;
let dataDir: string;
beforeAll(async () => {
  dns = await startTestDnsServer();
  dataDir = mkdtempSync(join(tmpdir(), "postbag-domains-cli-"));
});
afterAll(async () => {
  await dns?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const env = () => ({
  POSTBAG_DATA_DIR: dataDir,
  POSTBAG_SECRET_KEY: "test-secret-key-0123456789-abcdefghijklm",
  POSTBAG_SENDER_DOMAIN: "postbag-mail.net",
  POSTBAG_DNS_SERVERS: dns.address,
  POSTBAG_SPF_INCLUDE: "include:spf.relay.example",
});

it("npx postbag domains check --json: the operator domain's records, missing until published, then ok (the key generated on first run)", async () => {
  const first = await runCli(["domains", "check", "--json"], env(), 60_000);
  expect(first.code, first.stderr).toBe(1);
  const missing = JSON.parse(first.stdout) as Check;
  const key = readFileSync(join(dataDir, "dkim.key"), "utf8");
  expect(missing).toEqual({
    domain: "postbag-mail.net",
    records: [
      expect.objectContaining({
        type: "TXT",
        name: "postbag._domainkey.postbag-mail.net",
        value: `v=DKIM1; k=rsa; p=${dkimPublicKeyOf(key)}`,
        status: "missing",
      }),
      expect.objectContaining({
        name: "postbag-mail.net",
        value: "v=spf1 include:spf.relay.example ~all",
        status: "missing",
      }),
      expect.objectContaining({ name: "_dmarc.postbag-mail.net", status: "missing" }),
    ],
  });
  for (const r of missing.records) dns.setTxt(r.name, [r.value]);
  const ok = await runCli(["domains", "check"], env(), 60_000);
  expect(ok.code, ok.stderr).toBe(0);
  expect(ok.stdout).toContain("OK      TXT postbag._domainkey.postbag-mail.net");
  expect(ok.stdout).toContain("DKIM is published");
}, 150_000);
