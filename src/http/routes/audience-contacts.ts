import { Type } from "typebox";
import {
  type Contact,
  correctContactEmail,
  findContact,
  linksOfContact,
  listContacts,
} from "../../audience/contacts.js";
import { deleteContact } from "../../audience/erasure.js";
import {
  checkDigest,
  type DigestChoice,
  digestModes,
  optOutCategories,
  preferencesOf,
  setPreferences,
} from "../../audience/preferences.js";
import { MAX_EXTERNAL_ID_CHARS } from "../../audience/sync-rows.js";
import { recordAudit } from "../../auth/audit.js";
import { checkRecipient } from "../../email/address.js";
import { recipientStatuses } from "../../email/statuses.js";
import { ApiError } from "../../errors/api-error.js";
import { recentMailOfContact, suppressionOf } from "../../messages/contact-mail.js";
import { eraseContactRecipients } from "../../messages/recipient-state.js";
import { decodeCursor, nextCursor } from "../cursor.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { errorResponses, Nullable, Page, PageQuery, StringEnum } from "../schemas.js";
import { actorOf } from "./people.js";

const iso = (ms: number) => new Date(ms).toISOString();

const ContactSchema = Type.Object({
  externalId: Type.String(),
  name: Type.String(),
  email: Nullable(Type.String({ description: "The usable address; null when there is none" })),
  emailGiven: Nullable(Type.String({ description: "What was given, when it was not usable" })),
  emailProblem: Nullable(Type.String({ description: "Why it was not usable: invalid_syntax, invalid_domain, …" })),
  emailFixed: Type.Boolean({
    description:
      "The address was corrected in Postbag; a sync giving the old value keeps the correction, a new value replaces it",
  }),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

const DigestSchema = Type.Object({
  mode: StringEnum(digestModes),
  time: Nullable(Type.String({ description: "HH:MM in the tenant's time zone" })),
  weekday: Nullable(Type.Integer({ minimum: 1, maximum: 7, description: "1 = Monday … 7 = Sunday" })),
});

const PreferencesSchema = Type.Object({
  optOuts: Type.Array(
    Type.Object({
      category: Type.String(),
      source: StringEnum(["link", "one_click", "api", "feedback_report"]),
      at: Type.String({ format: "date-time" }),
    }),
  ),
  digest: DigestSchema,
});

const ContactDetail = Type.Object({
  ...ContactSchema.properties,
  links: Type.Array(
    Type.Object({
      subjectExternalId: Type.String(),
      subjectName: Type.String(),
      relationship: Nullable(Type.String()),
      receivesMail: Type.Boolean(),
    }),
  ),
  preferences: PreferencesSchema,
  suppression: Nullable(
    Type.Object(
      { reason: StringEnum(["hard_bounce", "spam"]), at: Type.String({ format: "date-time" }) },
      { description: "The address is suppressed: Postbag sends it nothing until an administrator resets it" },
    ),
  ),
  recentMail: Type.Array(
    Type.Object({
      recipientId: Type.String(),
      messageId: Type.String(),
      subject: Type.String(),
      category: Type.String(),
      status: StringEnum(recipientStatuses),
      createdAt: Type.String({ format: "date-time" }),
      updatedAt: Type.String({ format: "date-time" }),
      lastText: Nullable(Type.String({ description: "The receiving server's last reply, or why it was not sent" })),
    }),
    { description: "The 20 most recent emails for this contact, newest first" },
  ),
});

const ExternalIdParams = Type.Object({ externalId: Type.String({ minLength: 1, maxLength: MAX_EXTERNAL_ID_CHARS }) });

const PreferencesBody = Type.Object(
  {
    optOuts: Type.Optional(
      Type.Array(StringEnum(optOutCategories), {
        maxItems: optOutCategories.length,
        description: "The whole set of categories the contact does not want; others are opted back in",
      }),
    ),
    digest: Type.Optional(
      Type.Object(
        {
          mode: StringEnum(digestModes),
          time: Type.Optional(Type.String({ description: "HH:MM, required for daily and weekly" })),
          weekday: Type.Optional(Type.Integer({ description: "1 = Monday … 7 = Sunday, required for weekly" })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

function contactView(c: Contact) {
  return {
    externalId: c.externalId,
    name: c.name,
    email: c.email,
    emailGiven: c.emailGiven,
    emailProblem: c.emailProblem,
    emailFixed: c.emailFixed,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

const readers = { access: { auth: "tenant", roles: ["system", "staff", "administrator"] } } as const;
/** Deleting a person is for administrators and the school's system (leavers), not every member of staff. */
export const erasers = { access: { auth: "tenant", roles: ["system", "administrator"] } } as const;

export const DeletedSchema = Type.Object({
  externalId: Type.String(),
  deleted: Type.Literal(true),
  recipientsErased: Type.Integer({ description: "Rows of sent or waiting mail whose name and address were erased" }),
  recipientsCancelled: Type.Integer({ description: "Mail still waiting for them, cancelled" }),
});

/** Contacts: the list (search, missing addresses), one contact with links and preferences. */
export function registerAudienceContactRoutes(app: App, { database, clock, config }: AppDeps): void {
  const db = database.db;

  async function detail(tenantId: string, externalId: string) {
    const contact = await findContact(db, tenantId, externalId);
    if (!contact) throw new ApiError("not_found", `no contact ${JSON.stringify(externalId.slice(0, 100))}`);
    const [links, preferences, suppression, recentMail] = await Promise.all([
      linksOfContact(db, tenantId, contact.id),
      preferencesOf(db, tenantId, contact.id),
      contact.email === null ? undefined : suppressionOf(db, tenantId, contact.email),
      recentMailOfContact(db, tenantId, contact.id, 20),
    ]);
    return {
      ...contactView(contact),
      links,
      preferences: {
        optOuts: (preferences?.optOuts ?? []).map((o) => ({ category: o.category, source: o.source, at: iso(o.at) })),
        digest: preferences?.digest ?? contact.digest,
      },
      suppression: suppression ? { reason: suppression.reason, at: iso(suppression.at) } : null,
      recentMail: recentMail.map((m) => ({
        ...m,
        createdAt: iso(m.createdAt),
        updatedAt: iso(m.updatedAt),
      })),
    };
  }

  app.get(
    "/v1/contacts",
    {
      config: readers,
      schema: {
        tags: ["audience"],
        summary: "The tenant's contacts, oldest first",
        querystring: Type.Object(
          {
            ...PageQuery,
            search: Type.Optional(
              Type.String({ maxLength: 200, description: "Part of the name or address, any case" }),
            ),
            emailMissing: Type.Optional(
              Type.Boolean({ description: "true: only contacts without a usable address; false: only those with one" }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Page(ContactSchema), ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const q = request.query;
      const limit = q.limit ?? 50;
      const rows = await listContacts(db, tenantId, {
        search: q.search,
        emailMissing: q.emailMissing,
        after: decodeCursor(q.cursor),
        limit,
      });
      return { items: rows.map(contactView), nextCursor: nextCursor(rows, limit) };
    },
  );

  app.get(
    "/v1/contacts/:externalId",
    {
      config: readers,
      schema: {
        tags: ["audience"],
        summary: "One contact by external id, with its subjects and preferences",
        params: ExternalIdParams,
        response: { 200: ContactDetail, ...errorResponses },
      },
    },
    async (request) => detail(tenantOf(request).tenantId, request.params.externalId),
  );

  app.put(
    "/v1/contacts/:externalId/preferences",
    {
      config: readers,
      schema: {
        tags: ["audience"],
        summary: "Set a contact's opt-outs and digest choice",
        description:
          "`optOuts` replaces the set of opted-out categories (kept ones keep their original record). " +
          "`digest`: `none`; `daily` with `time`; `weekly` with `time` and `weekday`. Times are in the tenant's zone.",
        params: ExternalIdParams,
        body: PreferencesBody,
        response: { 200: ContactDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { externalId } = request.params;
      let digest: DigestChoice | undefined;
      if (request.body.digest !== undefined) {
        const checked = checkDigest(request.body.digest);
        if (!checked.ok)
          throw new ApiError("invalid_request", checked.message, [{ path: "/digest", message: checked.message }]);
        digest = checked.digest;
      }
      const contact = await findContact(db, tenantId, externalId);
      const changed =
        contact !== undefined &&
        (await setPreferences(db, tenantId, contact.id, { optOuts: request.body.optOuts, digest }, clock.now()));
      if (!changed) throw new ApiError("not_found", `no contact ${JSON.stringify(externalId.slice(0, 100))}`);
      return detail(tenantId, externalId);
    },
  );

  app.delete(
    "/v1/contacts/:externalId",
    {
      config: erasers,
      schema: {
        tags: ["audience"],
        summary: "Delete a contact (a leaver, a GDPR request)",
        description:
          "The contact, their links and opt-outs are deleted; the name and address are erased from every email " +
          "sent to them (reports keep the counts and show a deleted contact) and mail still waiting for them is " +
          "cancelled. A tombstone keeps a later sync from recreating them: that row gets the error `deleted` " +
          'unless it says `"restore": true`. Suppressions stay. Administrators and system keys only.',
        params: ExternalIdParams,
        response: { 200: DeletedSchema, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { externalId } = request.params;
      const now = clock.now();
      const done = await db.transaction().execute(async (tx) => {
        const contactId = await deleteContact(tx, tenantId, externalId, now);
        if (contactId === undefined) return undefined;
        const erased = await eraseContactRecipients(tx, tenantId, contactId, now);
        // Earlier corrections logged the old and new address: the entries stay, the addresses go.
        await tx
          .updateTable("audit_events")
          .set({ detail: null })
          .where("tenant_id", "=", tenantId)
          .where("action", "=", "contact.email_corrected")
          .where("target", "=", externalId)
          .execute();
        await recordAudit(
          tx,
          { tenantId, actor: actorOf(request), action: "contact.deleted", target: externalId, detail: null },
          now,
        );
        return erased;
      });
      if (!done) throw new ApiError("not_found", `no contact ${JSON.stringify(externalId.slice(0, 100))}`);
      return {
        externalId,
        deleted: true as const,
        recipientsErased: done.erased,
        recipientsCancelled: done.cancelled,
      };
    },
  );

  app.patch(
    "/v1/contacts/:externalId",
    {
      config: readers,
      schema: {
        tags: ["audience"],
        summary: "Correct a contact's address",
        description:
          "For an address that bounced or was missing. The school's system stays the source: a later sync that " +
          "gives the old value again keeps this correction; one that gives a new value replaces it. " +
          "A suppressed address stays suppressed (see /v1/suppressions).",
        params: ExternalIdParams,
        body: Type.Object({ email: Type.String({ maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 200: ContactDetail, ...errorResponses },
      },
    },
    async (request) => {
      const { tenantId } = tenantOf(request);
      const { externalId } = request.params;
      // The same check as a sync's addresses and a message's recipients (address literals too).
      const checked = checkRecipient(request.body.email, config);
      if (!checked.ok) {
        throw new ApiError("invalid_request", checked.message, [{ path: "/email", message: checked.message }]);
      }
      const before = await findContact(db, tenantId, externalId);
      const now = clock.now();
      if (!before || !(await correctContactEmail(db, tenantId, externalId, checked.email, now))) {
        throw new ApiError("not_found", `no contact ${JSON.stringify(externalId.slice(0, 100))}`);
      }
      await recordAudit(
        db,
        {
          tenantId,
          actor: actorOf(request),
          action: "contact.email_corrected",
          target: externalId,
          detail: `${before.email ?? before.emailGiven ?? "(none)"} -> ${checked.email}`,
        },
        now,
      );
      return detail(tenantId, externalId);
    },
  );
}
