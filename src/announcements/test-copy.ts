import type { Database, Db } from "../db/database.js";
import { isValidEmail } from "../email/address.js";
import { ApiError } from "../errors/api-error.js";
import { insertPlanned, planMessage } from "../messages/message-store.js";
import { type PrepareLimits, prepareMessage } from "../messages/prepare.js";
import type { AnnouncementPreview } from "./preview.js";

/** What marks a test copy in the recipient's mailbox (its message also has source `test`). */
export const TEST_SUBJECT_PREFIX = "[Test] ";

export interface TestCopyOptions {
  readonly limits: PrepareLimits;
  readonly messageIdDomain: string;
}

/**
 * Queues the previewed email to `to` (never to the audience): one message per address, with
 * source `test` so delivery sends its content as it is (the preview already holds signature and
 * footer), the subject marked with "[Test] ". It is ordinary mail otherwise: checked like any
 * message, charged like any email of its category, screened for suppression, listed in
 * /v1/messages.
 */
export async function queueTestCopies(
  database: Database,
  now: number,
  tenantId: string,
  preview: AnnouncementPreview,
  to: readonly string[],
  options: TestCopyOptions,
): Promise<{ id: string; to: string }[]> {
  const { template } = preview;
  const planned = to.map((address) => {
    const prepared = prepareMessage(
      {
        from: { email: template.from.email, ...(template.from.name ? { name: template.from.name } : {}) },
        ...(template.replyTo?.email
          ? {
              replyTo: {
                email: template.replyTo.email,
                ...(template.replyTo.name ? { name: template.replyTo.name } : {}),
              },
            }
          : {}),
        to: [address],
        subject: `${TEST_SUBJECT_PREFIX}${preview.subject}`,
        text: preview.text ?? undefined,
        html: preview.html ?? undefined,
        category: template.category,
        attachments: template.attachments.map((a) => ({
          filename: a.filename,
          content: a.content.toString("base64"),
          contentType: a.contentType,
        })),
      },
      undefined,
      // The attachments passed the tenant's policy in the preview's checks.
      { ...options.limits, attachmentPolicy: null },
    );
    return planMessage(tenantId, prepared, now, options.messageIdDomain, "test");
  });
  await database.db.transaction().execute((tx) => insertPlanned(tx, planned));
  return planned.map((p, i) => ({ id: p.message.id, to: to[i] ?? "" }));
}

/**
 * Where a test copy goes: a signed-in person's own address; for an API key, which has no
 * address of its own, the tenant's administrators who have one.
 */
export async function testAddresses(db: Db, tenantId: string, personEmail: string | null): Promise<string[]> {
  if (personEmail !== null) return [personEmail];
  const admins = await db
    .selectFrom("users")
    .select("email")
    .where("tenant_id", "=", tenantId)
    .where("role", "=", "administrator")
    .orderBy("id")
    .execute();
  const out = new Map<string, string>();
  for (const a of admins) if (a.email && isValidEmail(a.email)) out.set(a.email.toLowerCase(), a.email);
  if (out.size === 0) {
    throw new ApiError("conflict", "this tenant has no administrator with an email address to send the test to");
  }
  return [...out.values()];
}
