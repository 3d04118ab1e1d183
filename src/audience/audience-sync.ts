import type { Db, Tx } from "../db/database.js";
import { newId } from "../db/ids.js";
import type { RecipientRules } from "../email/address.js";
import type { Clock } from "../time/clock.js";
import { liftTombstones, type TombstoneKind, tombstonesOf } from "./erasure.js";
import { subjectGroupsColumn } from "./subjects.js";
import {
  type Checked,
  type ContactRow,
  checkContactRow,
  checkLinkRow,
  checkSubjectRow,
  externalIdOf,
  type LinkRow,
  type RowErrorCode,
  type RowKind,
  type SubjectRow,
} from "./sync-rows.js";

/** Where a row was: its index in its JSON array, or its line in an NDJSON body (from 1). */
export type RowPlace = { readonly index: number } | { readonly line: number };

export interface KindCounts {
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}

/** One row that was not applied (an error) or was applied with a remark (a warning). */
export interface RowReport {
  readonly kind: RowKind | null;
  readonly index?: number;
  readonly line?: number;
  readonly externalId: string | null;
  readonly contactExternalId?: string | null;
  readonly subjectExternalId?: string | null;
  readonly code: RowErrorCode | "invalid_email";
  readonly message: string;
}

export interface SyncSummary {
  readonly contacts: KindCounts;
  readonly subjects: KindCounts;
  readonly links: KindCounts;
  /** The first `maxListed` rows that were not applied. */
  readonly errors: readonly RowReport[];
  readonly errorCount: number;
  /** The first `maxListed` contacts kept without an address because the one given is unusable. */
  readonly warnings: readonly RowReport[];
  readonly warningCount: number;
}

export interface SyncOptions {
  /** Rows written per transaction (default 500). */
  readonly batchSize?: number;
  /** Links whose contact or subject comes later in the body, held until the end (default 20,000). */
  readonly maxDeferredLinks?: number;
  /** Errors and warnings listed in the summary; the counts cover all (default 1,000). */
  readonly maxListed?: number;
  /** Contacts' addresses written with an IP address literal are usable (`POSTBAG_ALLOW_ADDRESS_LITERALS`). */
  readonly allowAddressLiterals?: boolean;
}

interface Placed<T> {
  readonly row: T;
  readonly place: RowPlace;
}

interface ContactState {
  id: string;
  name: string;
  email: string | null;
  email_given: string | null;
  email_problem: string | null;
  /** See `contacts.email_fixed_from`: set while a correction made in Postbag stands. */
  email_fixed_from: string | null;
  dirty: boolean;
}

interface SubjectState {
  id: string;
  name: string;
  groups: string;
  groupsChanged: boolean;
  dirty: boolean;
  existed: boolean;
}

interface LinkState {
  contactId: string;
  subjectId: string;
  relationship: string | null;
  receivesMail: number;
  dirty: boolean;
}

// Keeps each statement well below SQLite's and PostgreSQL's bound-parameter limits.
const CHUNK = 500;

function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function byKey<T>(key: (item: T) => string) {
  return (a: T, b: T) => {
    const ka = key(a);
    const kb = key(b);
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  };
}

const kindOrder: Record<RowKind, number> = { contact: 0, subject: 1, link: 2 };

function inBodyOrder(a: RowReport, b: RowReport): number {
  if (a.line !== undefined && b.line !== undefined) return a.line - b.line;
  const byKind = (a.kind ? kindOrder[a.kind] : -1) - (b.kind ? kindOrder[b.kind] : -1);
  return byKind !== 0 ? byKind : (a.index ?? 0) - (b.index ?? 0);
}

/**
 * Upserts a tenant's contacts, subjects and links by their external ids, fed one row at a time
 * (from a parsed JSON body or a streamed NDJSON one) and handled in batches of `batchSize` rows,
 * so memory stays bounded whatever the size of the sync. The tenant's system is the source of
 * truth: a row replaces the stored fields; a row that changes nothing writes nothing, so the same
 * sync twice reports everything `unchanged` the second time. When an external id appears twice
 * in one sync, the later row wins. A batch is compared with the stored rows first and only what
 * changed is upserted, in one transaction for its contacts and subjects and one for its links;
 * the upserts are keyed by external id, so two syncs running at once cannot duplicate a row.
 *
 * Within a batch, contacts and subjects are written before links, and a link's ends are looked
 * up at write time; a link whose contact or subject is still unknown is held (up to
 * `maxDeferredLinks`) and tried again once every other row is in.
 */
export class AudienceSync {
  readonly #db: Db;
  readonly #tenantId: string;
  readonly #clock: Clock;
  readonly #batchSize: number;
  readonly #maxDeferred: number;
  readonly #maxListed: number;
  readonly #rules: RecipientRules;
  #contacts: Placed<ContactRow>[] = [];
  #subjects: Placed<SubjectRow>[] = [];
  #links: Placed<LinkRow>[] = [];
  #deferred: Placed<LinkRow>[] = [];
  readonly #counts: Record<RowKind, KindCounts> = {
    contact: { created: 0, updated: 0, unchanged: 0, failed: 0 },
    subject: { created: 0, updated: 0, unchanged: 0, failed: 0 },
    link: { created: 0, updated: 0, unchanged: 0, failed: 0 },
  };
  readonly #errors: RowReport[] = [];
  #errorCount = 0;
  readonly #warnings: RowReport[] = [];
  #warningCount = 0;
  #finished = false;
  /** External ids of deleted rows this batch brings back (`restore: true`). */
  #restored: Record<TombstoneKind, string[]> = { contact: [], subject: [] };

  constructor(db: Db, tenantId: string, clock: Clock, options: SyncOptions = {}) {
    this.#db = db;
    this.#tenantId = tenantId;
    this.#clock = clock;
    this.#batchSize = options.batchSize ?? 500;
    this.#maxDeferred = options.maxDeferredLinks ?? 20_000;
    this.#maxListed = options.maxListed ?? 1_000;
    this.#rules = { allowAddressLiterals: options.allowAddressLiterals ?? false };
  }

  /** Takes one row of `kind` as given by the client; `ignore` names an envelope field (NDJSON `type`). */
  async add(kind: RowKind, value: unknown, place: RowPlace, ignore?: string): Promise<void> {
    if (this.#finished) throw new Error("AudienceSync.add after finish");
    if (kind === "contact") {
      const checked = checkContactRow(value, ignore, this.#rules);
      if (!this.#accepted(kind, checked, value, place)) return;
      const row = checked.row;
      if (row.emailProblem !== null) {
        this.#warn({
          kind,
          ...place,
          externalId: row.externalId,
          code: "invalid_email",
          message: `the email address is not usable (${row.emailProblem}); the contact is kept without one`,
        });
      }
      this.#contacts.push({ row, place });
    } else if (kind === "subject") {
      const checked = checkSubjectRow(value, ignore);
      if (this.#accepted(kind, checked, value, place)) this.#subjects.push({ row: checked.row, place });
    } else {
      const checked = checkLinkRow(value, ignore);
      if (this.#accepted(kind, checked, value, place)) this.#links.push({ row: checked.row, place });
    }
    if (this.#contacts.length + this.#subjects.length + this.#links.length >= this.#batchSize) await this.#flush();
  }

  /** Records a row that could not even be read (not JSON, too long, no known `type`). */
  reject(kind: RowKind | null, place: RowPlace, code: RowErrorCode, message: string, value?: unknown): void {
    if (kind) this.#counts[kind].failed++;
    this.#error({ kind, ...place, ...this.#ids(kind, value), code, message });
  }

  /** Writes what is left, retries held links, and answers the summary. */
  async finish(): Promise<SyncSummary> {
    await this.#flush();
    this.#finished = true;
    while (this.#deferred.length > 0) {
      const batch = this.#deferred.splice(0, this.#batchSize);
      await this.#writeLinks(batch, true, this.#clock.now());
    }
    // Held links are judged last; the report still reads in the order of the body.
    this.#errors.sort(inBodyOrder);
    return {
      contacts: this.#counts.contact,
      subjects: this.#counts.subject,
      links: this.#counts.link,
      errors: this.#errors,
      errorCount: this.#errorCount,
      warnings: this.#warnings,
      warningCount: this.#warningCount,
    };
  }

  #accepted<T>(kind: RowKind, checked: Checked<T>, value: unknown, place: RowPlace): checked is { ok: true; row: T } {
    if (checked.ok) return true;
    this.reject(kind, place, checked.code, checked.message, value);
    return false;
  }

  #ids(kind: RowKind | null, value: unknown) {
    if (kind === "link") {
      return {
        externalId: null,
        contactExternalId: externalIdOf(value, "contactExternalId"),
        subjectExternalId: externalIdOf(value, "subjectExternalId"),
      };
    }
    return { externalId: kind ? externalIdOf(value) : null };
  }

  #error(report: RowReport): void {
    this.#errorCount++;
    if (this.#errors.length < this.#maxListed) this.#errors.push(report);
  }

  #warn(report: RowReport): void {
    this.#warningCount++;
    if (this.#warnings.length < this.#maxListed) this.#warnings.push(report);
  }

  async #flush(): Promise<void> {
    const contacts = this.#contacts;
    const subjects = this.#subjects;
    const links = this.#links;
    if (contacts.length + subjects.length + links.length === 0) return;
    this.#contacts = [];
    this.#subjects = [];
    this.#links = [];
    const now = this.#clock.now();
    // Reads and comparisons first, outside any transaction: a batch that changes nothing (the
    // usual nightly sync) costs one query per kind and never takes a write lock.
    const dirtyContacts = contacts.length > 0 ? await this.#planContacts(contacts, now) : [];
    const dirtySubjects = subjects.length > 0 ? await this.#planSubjects(subjects, now) : [];
    const restored = this.#restored;
    this.#restored = { contact: [], subject: [] };
    if (dirtyContacts.length + dirtySubjects.length > 0) {
      await this.#db.transaction().execute(async (tx) => {
        await liftTombstones(tx, this.#tenantId, "contact", restored.contact);
        await liftTombstones(tx, this.#tenantId, "subject", restored.subject);
        await this.#upsertContacts(tx, dirtyContacts, now);
        await this.#upsertSubjects(tx, dirtySubjects, now);
      });
    }
    // Links after their ends are committed, so they resolve against this batch's rows too.
    if (links.length > 0) await this.#writeLinks(links, false, now);
  }

  /** Which external ids of the batch the tenant deleted (one query per 500 ids). */
  #buried(kind: TombstoneKind, rows: readonly Placed<{ readonly externalId: string }>[]): Promise<Set<string>> {
    return tombstonesOf(this.#db, this.#tenantId, kind, [...new Set(rows.map((r) => r.row.externalId))]);
  }

  /**
   * A row for a deleted contact or subject: brought back if it says `restore` (its tombstone is
   * lifted when the batch is written), otherwise refused with `deleted`.
   */
  #revive(kind: TombstoneKind, row: { readonly externalId: string; readonly restore: boolean }, place: RowPlace) {
    if (row.restore) {
      this.#restored[kind].push(row.externalId);
      return true;
    }
    this.#counts[kind].failed++;
    this.#error({
      kind,
      ...place,
      externalId: row.externalId,
      code: "deleted",
      message: `${kind} ${JSON.stringify(row.externalId)} was deleted in Postbag; send "restore": true to bring it back`,
    });
    return false;
  }

  /** Compares a batch with what is stored and counts; returns the rows to write. */
  async #planContacts(rows: readonly Placed<ContactRow>[], now: number): Promise<[string, ContactState][]> {
    const tenantId = this.#tenantId;
    const counts = this.#counts.contact;
    const state = new Map<string, ContactState>();
    for (const part of chunks([...new Set(rows.map((r) => r.row.externalId))])) {
      const found = await this.#db
        .selectFrom("contacts")
        .select(["id", "external_id", "name", "email", "email_given", "email_problem", "email_fixed_from"])
        .where("tenant_id", "=", tenantId)
        .where("external_id", "in", part)
        .execute();
      for (const f of found) state.set(f.external_id, { ...f, dirty: false });
    }
    const buried = await this.#buried("contact", rows);
    for (const { row, place } of rows) {
      if (buried.has(row.externalId) && !this.#revive("contact", row, place)) continue;
      const current = state.get(row.externalId);
      const given = row.email ?? row.emailGiven ?? "";
      // An address corrected in Postbag stands while the school's system gives what it gave then.
      const next =
        current?.email_fixed_from != null && current.email_fixed_from === given
          ? {
              name: row.name,
              email: current.email,
              email_given: current.email_given,
              email_problem: current.email_problem,
              email_fixed_from: current.email_fixed_from,
            }
          : {
              name: row.name,
              email: row.email,
              email_given: row.emailGiven,
              email_problem: row.emailProblem,
              email_fixed_from: null,
            };
      if (!current) {
        state.set(row.externalId, { ...next, id: newId(now), dirty: true });
        counts.created++;
      } else if (
        current.name === next.name &&
        current.email === next.email &&
        current.email_given === next.email_given &&
        current.email_problem === next.email_problem &&
        current.email_fixed_from === next.email_fixed_from
      ) {
        counts.unchanged++;
      } else {
        Object.assign(current, next, { dirty: true });
        counts.updated++;
      }
    }
    return [...state].filter(([, s]) => s.dirty).sort(byKey(([id]) => id));
  }

  async #upsertContacts(tx: Tx, dirty: readonly [string, ContactState][], now: number): Promise<void> {
    const tenantId = this.#tenantId;
    for (const part of chunks(dirty)) {
      await tx
        .insertInto("contacts")
        .values(
          part.map(([externalId, s]) => ({
            id: s.id,
            tenant_id: tenantId,
            external_id: externalId,
            name: s.name,
            email: s.email,
            email_given: s.email_given,
            email_problem: s.email_problem,
            email_fixed_from: s.email_fixed_from,
            created_at: now,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["tenant_id", "external_id"]).doUpdateSet((eb) => ({
            name: eb.ref("excluded.name"),
            email: eb.ref("excluded.email"),
            email_given: eb.ref("excluded.email_given"),
            email_problem: eb.ref("excluded.email_problem"),
            email_fixed_from: eb.ref("excluded.email_fixed_from"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .execute();
    }
  }

  async #planSubjects(rows: readonly Placed<SubjectRow>[], now: number): Promise<[string, SubjectState][]> {
    const tenantId = this.#tenantId;
    const counts = this.#counts.subject;
    const state = new Map<string, SubjectState>();
    for (const part of chunks([...new Set(rows.map((r) => r.row.externalId))])) {
      const found = await this.#db
        .selectFrom("subjects")
        .select(["id", "external_id", "name", "groups"])
        .where("tenant_id", "=", tenantId)
        .where("external_id", "in", part)
        .execute();
      for (const f of found) {
        state.set(f.external_id, { ...f, groupsChanged: false, dirty: false, existed: true });
      }
    }
    const buried = await this.#buried("subject", rows);
    for (const { row, place } of rows) {
      if (buried.has(row.externalId) && !this.#revive("subject", row, place)) continue;
      const groups = subjectGroupsColumn.encode([...row.groups]);
      const current = state.get(row.externalId);
      if (!current) {
        state.set(row.externalId, {
          id: newId(now),
          name: row.name,
          groups,
          groupsChanged: true,
          dirty: true,
          existed: false,
        });
        counts.created++;
      } else if (current.name === row.name && current.groups === groups) {
        counts.unchanged++;
      } else {
        if (current.groups !== groups) current.groupsChanged = true;
        Object.assign(current, { name: row.name, groups, dirty: true });
        counts.updated++;
      }
    }
    return [...state].filter(([, s]) => s.dirty).sort(byKey(([id]) => id));
  }

  async #upsertSubjects(tx: Tx, dirty: readonly [string, SubjectState][], now: number): Promise<void> {
    const tenantId = this.#tenantId;
    for (const part of chunks(dirty)) {
      // RETURNING gives the stored id, which differs from ours if another sync inserted the row first.
      const written = await tx
        .insertInto("subjects")
        .values(
          part.map(([externalId, s]) => ({
            id: s.id,
            tenant_id: tenantId,
            external_id: externalId,
            name: s.name,
            groups: s.groups,
            created_at: now,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(["tenant_id", "external_id"]).doUpdateSet((eb) => ({
            name: eb.ref("excluded.name"),
            groups: eb.ref("excluded.groups"),
            updated_at: eb.ref("excluded.updated_at"),
          })),
        )
        .returning(["id", "external_id"])
        .execute();
      const idOf = new Map(written.map((w) => [w.external_id, w.id]));
      const regroup = part
        .filter(([, s]) => s.groupsChanged)
        .map(([externalId, s]) => ({
          id: idOf.get(externalId) ?? s.id,
          // A subject new to this batch may still have rows if a concurrent sync created it.
          replace: s.existed || idOf.get(externalId) !== s.id,
          groups: subjectGroupsColumn.decode(s.groups),
        }));
      if (regroup.length === 0) continue;
      const replaced = regroup.filter((r) => r.replace).map((r) => r.id);
      if (replaced.length > 0) {
        await tx
          .deleteFrom("subject_groups")
          .where("tenant_id", "=", tenantId)
          .where("subject_id", "in", replaced)
          .execute();
      }
      const groupRows = regroup.flatMap((r) =>
        r.groups.map((name) => ({ tenant_id: tenantId, subject_id: r.id, name })),
      );
      for (const g of chunks(groupRows, 500)) {
        await tx
          .insertInto("subject_groups")
          .values(g)
          .onConflict((oc) => oc.columns(["subject_id", "name"]).doNothing())
          .execute();
      }
    }
  }

  async #writeLinks(rows: readonly Placed<LinkRow>[], final: boolean, now: number): Promise<void> {
    const tenantId = this.#tenantId;
    const counts = this.#counts.link;
    const contactIds = await this.#idsOf("contacts", [...new Set(rows.map((r) => r.row.contactExternalId))]);
    const subjectIds = await this.#idsOf("subjects", [...new Set(rows.map((r) => r.row.subjectExternalId))]);
    const ready: { contactId: string; subjectId: string; row: LinkRow }[] = [];
    const failed: { row: LinkRow; place: RowPlace; missing: TombstoneKind }[] = [];
    for (const placed of rows) {
      const { row, place } = placed;
      const contactId = contactIds.get(row.contactExternalId);
      const subjectId = subjectIds.get(row.subjectExternalId);
      if (contactId && subjectId) {
        ready.push({ contactId, subjectId, row });
        continue;
      }
      if (!final && this.#deferred.length < this.#maxDeferred) {
        this.#deferred.push(placed);
        continue;
      }
      failed.push({ row, place, missing: contactId ? "subject" : "contact" });
    }
    const idOf = (f: (typeof failed)[number]) =>
      f.missing === "contact" ? f.row.contactExternalId : f.row.subjectExternalId;
    const buried = {
      contact: await tombstonesOf(
        this.#db,
        tenantId,
        "contact",
        failed.filter((f) => f.missing === "contact").map(idOf),
      ),
      subject: await tombstonesOf(
        this.#db,
        tenantId,
        "subject",
        failed.filter((f) => f.missing === "subject").map(idOf),
      ),
    };
    for (const f of failed) {
      const { row, place, missing } = f;
      const id = JSON.stringify(idOf(f));
      const deleted = buried[missing].has(idOf(f));
      counts.failed++;
      this.#error({
        kind: "link",
        ...place,
        externalId: null,
        contactExternalId: row.contactExternalId,
        subjectExternalId: row.subjectExternalId,
        code: deleted ? "deleted" : missing === "subject" ? "unknown_subject" : "unknown_contact",
        message: deleted
          ? `${missing} ${id} was deleted in Postbag`
          : `no ${missing} ${id}` +
            (final ? "" : ` (more than ${this.#maxDeferred} links were waiting for their ends: send links last)`),
      });
    }
    if (ready.length === 0) return;

    const key = (contactId: string, subjectId: string) => `${contactId} ${subjectId}`;
    const state = new Map<string, LinkState>();
    const readyContacts = [...new Set(ready.map((r) => r.contactId))];
    const readySubjects = new Set(ready.map((r) => r.subjectId));
    for (const part of chunks(readyContacts)) {
      const found = await this.#db
        .selectFrom("contact_subjects")
        .select(["contact_id", "subject_id", "relationship", "receives_mail"])
        .where("tenant_id", "=", tenantId)
        .where("contact_id", "in", part)
        .execute();
      for (const f of found) {
        if (!readySubjects.has(f.subject_id)) continue;
        state.set(key(f.contact_id, f.subject_id), {
          contactId: f.contact_id,
          subjectId: f.subject_id,
          relationship: f.relationship,
          receivesMail: Number(f.receives_mail),
          dirty: false,
        });
      }
    }
    for (const { contactId, subjectId, row } of ready) {
      const k = key(contactId, subjectId);
      const receivesMail = row.receivesMail ? 1 : 0;
      const current = state.get(k);
      if (!current) {
        state.set(k, { contactId, subjectId, relationship: row.relationship, receivesMail, dirty: true });
        counts.created++;
      } else if (current.relationship === row.relationship && current.receivesMail === receivesMail) {
        counts.unchanged++;
      } else {
        Object.assign(current, { relationship: row.relationship, receivesMail, dirty: true });
        counts.updated++;
      }
    }
    const dirty = [...state].filter(([, s]) => s.dirty).sort(byKey(([k]) => k));
    if (dirty.length === 0) return;
    await this.#db.transaction().execute(async (tx) => {
      for (const part of chunks(dirty)) {
        await tx
          .insertInto("contact_subjects")
          .values(
            part.map(([, s]) => ({
              tenant_id: tenantId,
              contact_id: s.contactId,
              subject_id: s.subjectId,
              relationship: s.relationship,
              receives_mail: s.receivesMail,
              updated_at: now,
            })),
          )
          .onConflict((oc) =>
            oc.columns(["contact_id", "subject_id"]).doUpdateSet((eb) => ({
              relationship: eb.ref("excluded.relationship"),
              receives_mail: eb.ref("excluded.receives_mail"),
              updated_at: eb.ref("excluded.updated_at"),
            })),
          )
          .execute();
      }
    });
  }

  async #idsOf(table: "contacts" | "subjects", externalIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (const part of chunks(externalIds)) {
      const found = await this.#db
        .selectFrom(table)
        .select(["id", "external_id"])
        .where("tenant_id", "=", this.#tenantId)
        .where("external_id", "in", part)
        .execute();
      for (const f of found) out.set(f.external_id, f.id);
    }
    return out;
  }
}
