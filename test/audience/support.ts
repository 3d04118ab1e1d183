import type { LightMyRequestResponse } from "fastify";
import { expect } from "vitest";
import type { TenantRole } from "../../src/tenants/tenants.js";
import { json, type TestApp, type TestTenant } from "../support/test-app.js";

export interface Counts {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

export interface RowReport {
  kind: "contact" | "subject" | "link" | null;
  index?: number;
  line?: number;
  externalId: string | null;
  contactExternalId?: string | null;
  subjectExternalId?: string | null;
  code: string;
  message: string;
}

export interface Summary {
  contacts: Counts;
  subjects: Counts;
  links: Counts;
  errors: RowReport[];
  errorCount: number;
  warnings: RowReport[];
  warningCount: number;
}

export const counts = (created: number, updated = 0, unchanged = 0, failed = 0): Counts => ({
  created,
  updated,
  unchanged,
  failed,
});

/** POST /v1/audience/sync with a JSON body; asserts 200 and returns the summary. */
export async function syncJson(
  t: TestApp,
  tenant: TestTenant,
  body: Record<string, unknown>,
  role: TenantRole = "system",
): Promise<Summary> {
  const res = await t.inject({ method: "POST", url: "/v1/audience/sync", headers: tenant.auth(role), payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return json<Summary>(res);
}

/** The NDJSON text for rows (objects are serialised, strings sent as they are). */
export function ndjsonText(lines: readonly (Record<string, unknown> | string)[]): string {
  return `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`;
}

export function postNdjson(t: TestApp, tenant: TestTenant, payload: string | Buffer): Promise<LightMyRequestResponse> {
  return t.inject({
    method: "POST",
    url: "/v1/audience/sync",
    headers: { ...tenant.auth(), "content-type": "application/x-ndjson" },
    payload,
  });
}

/** POST NDJSON lines; asserts 200 and returns the summary. */
export async function syncNdjson(
  t: TestApp,
  tenant: TestTenant,
  lines: readonly (Record<string, unknown> | string)[],
): Promise<Summary> {
  const res = await postNdjson(t, tenant, ndjsonText(lines));
  expect(res.statusCode, res.body).toBe(200);
  return json<Summary>(res);
}

/** A school: `n` families of one parent and one child in Year 7 (even) or Year 8 (odd). */
export function school(n: number, prefix = "") {
  const contacts = [];
  const subjects = [];
  const links = [];
  for (let i = 0; i < n; i++) {
    contacts.push({ externalId: `${prefix}P${i}`, name: `Parent ${i}`, email: `parent${i}@example.com` });
    subjects.push({ externalId: `${prefix}S${i}`, name: `Student ${i}`, groups: [i % 2 ? "Year 8" : "Year 7"] });
    links.push({ contactExternalId: `${prefix}P${i}`, subjectExternalId: `${prefix}S${i}`, relationship: "mother" });
  }
  return { contacts, subjects, links };
}
