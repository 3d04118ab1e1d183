import { queueAccountMail } from "../auth/auth-mail.js";
import type { NoticeSender } from "../credits/notices.js";
import type { Database, Db } from "../db/database.js";
import { newId } from "../db/ids.js";
import { isValidEmail } from "../email/address.js";
import { ApiError } from "../errors/api-error.js";
import { findTenant, POSTBAG_TENANT_ID } from "../tenants/tenants.js";
import { overLimitTenants } from "./over-limit-tenants.js";
import { repeatOffenders } from "./repeat-offenders.js";

/**
 * The operator's Contact action (docs/console.md, "Reports"): a templated notice to a school's
 * administrators about going over its credit limit ("we may contact you to discuss"). It is
 * Postbag's own mail, like a sign-in link: category `notice`, through the operator's relay,
 * filed under the Postbag tenant (never metered, paced or held, and sent to a suspended school
 * too), one message per administrator. Each notice is recorded on the tenant
 * (`operator_notices`) with its words, and the reports show when the school was last contacted.
 */
export const noticeTemplates = ["over_limit", "repeat_offender"] as const;
export type NoticeTemplate = (typeof noticeTemplates)[number];

export const MAX_NOTICE_MESSAGE = 2000;

export interface OperatorNotice {
  readonly id: string;
  readonly tenantId: string;
  readonly at: number;
  readonly template: NoticeTemplate;
  readonly subject: string;
  readonly text: string;
  readonly recipients: number;
  readonly sentBy: string;
}

function monthName(key: string): string {
  const [y, m] = key.split("-").map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, 1)).toLocaleString("en-GB", {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** The school's administrators with an email address, each once. */
async function administratorAddresses(db: Db, tenantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("users")
    .select("email")
    .where("tenant_id", "=", tenantId)
    .where("role", "=", "administrator")
    .orderBy("id")
    .execute();
  const out = new Map<string, string>();
  for (const r of rows) if (r.email && isValidEmail(r.email)) out.set(r.email.toLowerCase(), r.email);
  return [...out.values()];
}

/** The notice's subject and first paragraph, from what the reports say about the school now. */
async function templateFacts(
  db: Db,
  tenantId: string,
  name: string,
  template: NoticeTemplate,
  now: number,
): Promise<{ subject: string; facts: string }> {
  if (template === "over_limit") {
    const over = (await overLimitTenants(db, { tenantId, limit: 1, now })).items[0];
    if (!over) throw new ApiError("conflict", "the school is not over its limit this month");
    return {
      subject: `${name} is over its monthly email allowance`,
      facts:
        `${name} has sent ${over.counted.toLocaleString("en-GB")} counted emails in ${monthName(over.month)}, ` +
        `more than its monthly allowance of ${over.allowance.toLocaleString("en-GB")}.`,
    };
  }
  const repeat = (await repeatOffenders(db, { tenantId, months: 12, limit: 1, now })).items[0];
  if (!repeat) throw new ApiError("conflict", "the school has not been over its limit in two months running");
  const months = repeat.overMonths.map(monthName);
  return {
    subject: `${name} keeps going over its monthly email allowance`,
    facts:
      `${name} has gone over its monthly email allowance in ${repeat.run} months running, ` +
      `and in ${months.length} of the last 12: ${months.join(", ")}.`,
  };
}

function cleanMessage(message: string | undefined): string | null {
  if (message === undefined) return null;
  const text = message.replace(/\r\n?/g, "\n").trim();
  if (text.length === 0) return null;
  if (text.length > MAX_NOTICE_MESSAGE || /[\p{Cc}]/u.test(text.replace(/\n/g, ""))) {
    throw new ApiError(
      "invalid_request",
      `the message must be at most ${MAX_NOTICE_MESSAGE} characters, without control characters`,
    );
  }
  return text;
}

/**
 * Sends the notice and records it, in one transaction. 404 for no such tenant; 409 when the
 * report does not say what the template says, or the school has no administrator to write to.
 */
export async function sendOperatorNotice(
  database: Database,
  sender: NoticeSender,
  input: {
    readonly tenantId: string;
    readonly template: NoticeTemplate;
    readonly message?: string | undefined;
    readonly sentBy: string;
  },
  now: number,
): Promise<OperatorNotice> {
  const { db } = database;
  const tenant = input.tenantId === POSTBAG_TENANT_ID ? undefined : await findTenant(db, input.tenantId);
  if (!tenant) throw new ApiError("not_found", `no tenant ${input.tenantId.slice(0, 40)}`);
  const message = cleanMessage(input.message);
  const to = await administratorAddresses(db, tenant.id);
  if (to.length === 0) throw new ApiError("conflict", "the school has no administrator with an email address");
  const { subject, facts } = await templateFacts(db, tenant.id, tenant.name, input.template, now);
  const text = [
    "Hello,",
    facts,
    "Each school has a free monthly allowance; beyond it, email is paid for with credit from a package. " +
      "As the terms say, we may contact you to discuss how much email your school sends and the package that would suit it.",
    ...(message ? [message] : []),
    `You can see your school's credit and buy a package on the Overview of the Postbag console: ${sender.publicUrl}`,
    "The operator of Postbag",
  ].join("\n\n");
  const notice: OperatorNotice = {
    id: newId(now),
    tenantId: tenant.id,
    at: now,
    template: input.template,
    subject,
    text,
    recipients: to.length,
    sentBy: input.sentBy.slice(0, 200),
  };
  await db.transaction().execute(async (tx) => {
    for (const address of to) await queueAccountMail(tx, sender, address, subject, text, now);
    await tx
      .insertInto("operator_notices")
      .values({
        id: notice.id,
        tenant_id: notice.tenantId,
        at: now,
        template: notice.template,
        subject,
        text,
        recipients: notice.recipients,
        sent_by: notice.sentBy,
      })
      .execute();
  });
  return notice;
}

/** The notices sent to a tenant, newest first. */
export async function listOperatorNotices(
  db: Db,
  tenantId: string,
  before: string | undefined,
  limit: number,
): Promise<OperatorNotice[]> {
  let q = db.selectFrom("operator_notices").selectAll().where("tenant_id", "=", tenantId);
  if (before) q = q.where("id", "<", before);
  const rows = await q.orderBy("id", "desc").limit(limit).execute();
  return rows.map((r) => ({
    id: r.id,
    tenantId: r.tenant_id,
    at: Number(r.at),
    template: r.template as NoticeTemplate,
    subject: r.subject,
    text: r.text,
    recipients: Number(r.recipients),
    sentBy: r.sent_by,
  }));
}

/** When each of these tenants was last contacted (absent: never). */
export async function lastContacted(db: Db, tenantIds: readonly string[]): Promise<Map<string, number>> {
  if (tenantIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("operator_notices")
    .select(["tenant_id", (eb) => eb.fn.max<number | string>("at").as("at")])
    .where("tenant_id", "in", [...tenantIds])
    .groupBy("tenant_id")
    .execute();
  return new Map(rows.map((r) => [r.tenant_id, Number(r.at)]));
}
