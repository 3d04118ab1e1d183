import type { Config } from "../config/config.js";
import type { Database } from "../db/database.js";
import { ApiError } from "../errors/api-error.js";
import { type Actor, findTenant, POSTBAG_TENANT_ID } from "../tenants/tenants.js";
import { recordAudit } from "./audit.js";
import { queueAccountMail } from "./auth-mail.js";
import { createLink, LINK_LIFETIME_MS, type LinkKind, linkUrl } from "./links.js";
import { addMembership, ensurePerson, findPersonByEmail, type MemberRole } from "./people.js";

export interface Invited {
  readonly invitationUrl: string;
  readonly expiresAt: number;
  readonly personId: string;
}

function noticeSender(config: Config) {
  return { senderDomain: config.senderDomain, publicUrl: config.publicUrl };
}

/** What each link's email says; the link opens a console page with a button that POSTs. */
export function linkMail(kind: LinkKind, url: string, context: { tenantName?: string | null } = {}) {
  const minutes = Math.round(LINK_LIFETIME_MS[kind] / 60_000);
  switch (kind) {
    case "sign_in":
      return {
        subject: "Your Postbag sign-in link",
        text: `Open this link to sign in to Postbag:\n\n${url}\n\nIt works once, within ${minutes} minutes. If you did not ask to sign in, ignore this email.\n`,
      };
    case "password_reset":
      return {
        subject: "Reset your Postbag password",
        text: `Open this link to choose a new Postbag password:\n\n${url}\n\nIt works once, within ${minutes} minutes. If you did not ask for it, ignore this email; your password stays as it is.\n`,
      };
    case "invitation":
      return {
        subject: context.tenantName
          ? `You are invited to ${context.tenantName} on Postbag`
          : "You are invited to Postbag",
        text: `You are invited to ${context.tenantName ?? "operate Postbag"}. Open this link to accept and choose your password:\n\n${url}\n\nThe link works once, within 7 days.\n`,
      };
  }
}

/**
 * Invites a person to a tenant with a role (or, with `tenantId` null, as an operator): the
 * person and the membership exist at once (listed as pending), the invitation is mailed as
 * Postbag's own mail, and the URL is answered for the inviter to copy.
 */
export async function invite(
  database: Database,
  config: Config,
  now: number,
  input: {
    readonly tenantId: string | null;
    readonly email: string;
    readonly name?: string | undefined;
    readonly role?: MemberRole | undefined;
    readonly actor: Actor | null;
    /** False: answer the URL only (the first start's operator invitation, to a made-up address). */
    readonly mail?: boolean;
  },
): Promise<Invited> {
  let tenantName: string | null = null;
  if (input.tenantId !== null) {
    const tenant = input.tenantId === POSTBAG_TENANT_ID ? undefined : await findTenant(database.db, input.tenantId);
    if (!tenant) throw new ApiError("not_found", `no tenant ${input.tenantId.slice(0, 40)}`);
    tenantName = tenant.name;
  }
  return database.db.transaction().execute(async (tx) => {
    const person = await ensurePerson(
      tx,
      { email: input.email, name: input.name, operator: input.tenantId === null },
      now,
    );
    if (input.tenantId !== null) await addMembership(tx, input.tenantId, person, input.role ?? "staff", now);
    const { token, expiresAt } = await createLink(
      tx,
      { kind: "invitation", personId: person.id, tenantId: input.tenantId, role: input.role ?? null },
      now,
    );
    const url = linkUrl(config.publicUrl, "invitation", token);
    const mail = linkMail("invitation", url, { tenantName });
    if (input.mail !== false) {
      await queueAccountMail(tx, noticeSender(config), person.email, mail.subject, mail.text, now);
    }
    if (input.actor && input.tenantId !== null) {
      await recordAudit(
        tx,
        {
          tenantId: input.tenantId,
          actor: input.actor,
          action: "invitation.created",
          target: person.email,
          detail: `role ${input.role ?? "staff"}`,
        },
        now,
      );
    }
    return { invitationUrl: url, expiresAt, personId: person.id };
  });
}

/** Mails a sign-in or reset link to the person with this address, if there is one. */
export async function mailLink(
  database: Database,
  config: Config,
  now: number,
  kind: "sign_in" | "password_reset",
  email: string,
): Promise<void> {
  await database.db.transaction().execute(async (tx) => {
    const person = await findPersonByEmail(tx, email);
    if (!person) return;
    const { token } = await createLink(tx, { kind, personId: person.id }, now);
    const mail = linkMail(kind, linkUrl(config.publicUrl, kind, token));
    await queueAccountMail(tx, noticeSender(config), person.email, mail.subject, mail.text, now);
  });
}
