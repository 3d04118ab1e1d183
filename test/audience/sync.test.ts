import { afterAll, beforeAll, expect, it } from "vitest";
import { ManualClock } from "../../src/time/clock.js";
import { describeEachDialect } from "../support/databases.js";
import { type ErrorReply, json, openTestApp, type TestApp } from "../support/test-app.js";
import { counts, ndjsonText, postNdjson, type Summary, school, syncJson, syncNdjson } from "./support.js";

describeEachDialect("audience sync", (dialect) => {
  let t: TestApp;
  const clock = new ManualClock();
  beforeAll(async () => {
    t = await openTestApp(dialect, { clock });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function stored(tenantId: string) {
    const contacts = await t.db
      .selectFrom("contacts")
      .select(["external_id", "name", "email", "email_given", "email_problem", "updated_at"])
      .where("tenant_id", "=", tenantId)
      .orderBy("external_id")
      .execute();
    const subjects = await t.db
      .selectFrom("subjects")
      .select(["id", "external_id", "name", "groups"])
      .where("tenant_id", "=", tenantId)
      .orderBy("external_id")
      .execute();
    const groups = await t.db
      .selectFrom("subject_groups as g")
      .innerJoin("subjects as s", "s.id", "g.subject_id")
      .select(["s.external_id", "g.name"])
      .where("g.tenant_id", "=", tenantId)
      .orderBy("s.external_id")
      .orderBy("g.name")
      .execute();
    const links = await t.db
      .selectFrom("contact_subjects as l")
      .innerJoin("contacts as c", "c.id", "l.contact_id")
      .innerJoin("subjects as s", "s.id", "l.subject_id")
      .select(["c.external_id as contact", "s.external_id as subject", "l.relationship", "l.receives_mail"])
      .where("l.tenant_id", "=", tenantId)
      .orderBy("c.external_id")
      .orderBy("s.external_id")
      .execute();
    return { contacts, subjects, groups, links: links.map((l) => ({ ...l, receives_mail: Number(l.receives_mail) })) };
  }

  it("JSON: creates contacts, subjects with groups and links; the same sync again changes nothing", async () => {
    const tenant = await t.newTenant();
    const body = school(4);
    const first = await syncJson(t, tenant, body);
    expect(first).toEqual({
      contacts: counts(4),
      subjects: counts(4),
      links: counts(4),
      errors: [],
      errorCount: 0,
      warnings: [],
      warningCount: 0,
    });
    const before = await stored(tenant.id);
    expect(before.contacts).toHaveLength(4);
    expect(before.groups.filter((g) => g.name === "Year 7")).toHaveLength(2);
    expect(before.links[0]).toMatchObject({ contact: "P0", subject: "S0", relationship: "mother", receives_mail: 1 });

    clock.advance(60_000);
    const second = await syncJson(t, tenant, body);
    expect(second.contacts).toEqual(counts(0, 0, 4));
    expect(second.subjects).toEqual(counts(0, 0, 4));
    expect(second.links).toEqual(counts(0, 0, 4));
    // Nothing was written: not even updated_at moved.
    expect(await stored(tenant.id)).toEqual(before);
  });

  it("a row replaces the stored fields: name, email, groups, relationship, receivesMail", async () => {
    const tenant = await t.newTenant();
    await syncJson(t, tenant, school(2));
    const summary = await syncJson(t, tenant, {
      contacts: [
        { externalId: "P0", name: "Parent Zero", email: "zero@Example.COM" },
        { externalId: "P1", name: "Parent 1" },
      ],
      subjects: [
        { externalId: "S0", name: "Student 0", groups: ["Year 8", "8B"] },
        { externalId: "S1", name: "Student 1" },
      ],
      links: [
        { contactExternalId: "P0", subjectExternalId: "S0", receivesMail: false },
        { contactExternalId: "P1", subjectExternalId: "S1", relationship: "mother" },
      ],
    });
    expect(summary.contacts).toEqual(counts(0, 2));
    expect(summary.subjects).toEqual(counts(0, 2));
    expect(summary.links).toEqual(counts(0, 1, 1));
    const after = await stored(tenant.id);
    expect(after.contacts.map((c) => [c.external_id, c.name, c.email])).toEqual([
      ["P0", "Parent Zero", "zero@example.com"],
      ["P1", "Parent 1", null],
    ]);
    expect(after.subjects.map((s) => [s.external_id, JSON.parse(s.groups)])).toEqual([
      ["S0", ["Year 8", "8B"]],
      ["S1", []],
    ]);
    expect(after.groups).toEqual([
      { external_id: "S0", name: "8B" },
      { external_id: "S0", name: "Year 8" },
    ]);
    expect(after.links).toEqual([
      { contact: "P0", subject: "S0", relationship: null, receives_mail: 0 },
      { contact: "P1", subject: "S1", relationship: "mother", receives_mail: 1 },
    ]);
    // And that state is stable.
    const again = await syncJson(t, tenant, {
      contacts: [
        { externalId: "P0", name: "Parent Zero", email: "zero@example.com" },
        { externalId: "P1", name: "Parent 1", email: null },
      ],
      subjects: [{ externalId: "S0", name: "Student 0", groups: ["Year 8", "8B", "Year 8"] }],
    });
    expect(again.contacts).toEqual(counts(0, 0, 2));
    expect(again.subjects).toEqual(counts(0, 0, 1));
  });

  it("an unusable address is kept and marked, the contact has no email, and a warning says so", async () => {
    const tenant = await t.newTenant();
    const summary = await syncJson(t, tenant, {
      contacts: [
        { externalId: "A", name: "No at sign", email: "parent.example.com" },
        { externalId: "B", name: "Injected", email: "x@example.com\r\nBcc: victim@example.com" },
        { externalId: "C", name: "Empty", email: "" },
        { externalId: "D", name: "Fine", email: " fine@example.com " },
      ],
    });
    expect(summary.contacts).toEqual(counts(4));
    expect(summary.errors).toEqual([]);
    expect(summary.warningCount).toBe(2);
    expect(summary.warnings.map((w) => [w.index, w.externalId, w.code])).toEqual([
      [0, "A", "invalid_email"],
      [1, "B", "invalid_email"],
    ]);
    const rows = (await stored(tenant.id)).contacts;
    expect(rows.map((r) => [r.external_id, r.email, r.email_given, r.email_problem])).toEqual([
      ["A", null, "parent.example.com", "invalid_syntax"],
      ["B", null, "x@example.com\uFFFD\uFFFDBcc: victim@example.com", "control_characters"],
      ["C", null, null, null],
      ["D", "fine@example.com", null, null],
    ]);
    const second = await syncJson(t, tenant, {
      contacts: [{ externalId: "A", name: "No at sign", email: "parent.example.com" }],
    });
    expect(second.contacts).toEqual(counts(0, 0, 1));
    expect(second.warningCount).toBe(1);
  });

  it("an address literal is not a usable address (JSON and NDJSON): kept, marked address_literal, a warning", async () => {
    const tenant = await t.newTenant();
    const summary = await syncJson(t, tenant, {
      contacts: [
        { externalId: "A", name: "Private", email: "root@[10.1.2.3]" },
        { externalId: "B", name: "Metadata", email: "x@[169.254.169.254]" },
        { externalId: "C", name: "Fine", email: "fine@example.com" },
      ],
    });
    expect(summary.warnings.map((w) => [w.externalId, w.code])).toEqual([
      ["A", "invalid_email"],
      ["B", "invalid_email"],
    ]);
    const streamed = await syncNdjson(t, tenant, [
      { type: "contact", externalId: "D", name: "IPv6", email: "x@[IPv6:::1]" },
    ]);
    expect(streamed.warnings.map((w) => [w.externalId, w.code])).toEqual([["D", "invalid_email"]]);
    const rows = (await stored(tenant.id)).contacts;
    expect(rows.map((r) => [r.external_id, r.email, r.email_given, r.email_problem])).toEqual([
      ["A", null, "root@[10.1.2.3]", "address_literal"],
      ["B", null, "x@[169.254.169.254]", "address_literal"],
      ["C", "fine@example.com", null, null],
      ["D", null, "x@[IPv6:::1]", "address_literal"],
    ]);
  });

  it("per-row errors: missing name, bad externalId, wrong types, unknown fields, unknown link ends — the good rows still land", async () => {
    const tenant = await t.newTenant();
    const summary = await syncJson(t, tenant, {
      contacts: [
        { externalId: "ok1", name: "Good" },
        { externalId: "noname" },
        { externalId: "blank", name: "  \t " },
        { externalId: "", name: "Empty id" },
        { externalId: " padded", name: "Padded id" },
        { externalId: "x".repeat(101), name: "Long id" },
        { externalId: "nl\nid", name: "Line break in id" },
        { externalId: 42, name: "Number id" },
        { externalId: "num-name", name: 7 },
        { externalId: "num-email", name: "N", email: 5 },
        { externalId: "extra", name: "Extra", phone: "0123" },
        "not an object",
        null,
        { externalId: "ok2", name: "Also good" },
      ],
      subjects: [
        { externalId: "s1", name: "Sub", groups: "Year 7" },
        { externalId: "s2", name: "Sub", groups: [7] },
        { externalId: "s3", name: "Sub", groups: Array.from({ length: 51 }, (_, i) => `g${i}`) },
        { externalId: "s4", name: "Sub", groups: ["  "] },
        { externalId: "s5", name: "Fine", groups: ["Year 7"] },
      ],
      links: [
        { contactExternalId: "ok1", subjectExternalId: "s5" },
        { contactExternalId: "ghost", subjectExternalId: "s5" },
        { contactExternalId: "ok1", subjectExternalId: "ghost" },
        { contactExternalId: "ok2", subjectExternalId: "s5", receivesMail: "yes" },
        { contactExternalId: "ok2", subjectExternalId: "s5", relationship: 3 },
        { contactExternalId: "ok2" },
      ],
    });
    expect(summary.contacts).toEqual(counts(2, 0, 0, 12));
    expect(summary.subjects).toEqual(counts(1, 0, 0, 4));
    expect(summary.links).toEqual(counts(1, 0, 0, 5));
    const errs = summary.errors.map((e) => [e.kind, e.index, e.externalId ?? e.contactExternalId ?? null, e.code]);
    expect(errs).toEqual([
      ["contact", 1, "noname", "missing_field"],
      ["contact", 2, "blank", "missing_field"],
      ["contact", 3, "", "missing_field"],
      ["contact", 4, " padded", "invalid_field"],
      ["contact", 5, "x".repeat(100), "invalid_field"],
      ["contact", 6, "nl\nid", "invalid_field"],
      ["contact", 7, null, "invalid_field"],
      ["contact", 8, "num-name", "invalid_field"],
      ["contact", 9, "num-email", "invalid_field"],
      ["contact", 10, "extra", "unknown_field"],
      ["contact", 11, null, "invalid_row"],
      ["contact", 12, null, "invalid_row"],
      ["subject", 0, "s1", "invalid_field"],
      ["subject", 1, "s2", "invalid_field"],
      ["subject", 2, "s3", "invalid_field"],
      ["subject", 3, "s4", "invalid_field"],
      ["link", 1, "ghost", "unknown_contact"],
      ["link", 2, "ok1", "unknown_subject"],
      ["link", 3, "ok2", "invalid_field"],
      ["link", 4, "ok2", "invalid_field"],
      ["link", 5, "ok2", "missing_field"],
    ]);
    expect(summary.errorCount).toBe(21);
    expect(summary.errors.find((e) => e.code === "unknown_field")?.message).toContain('"phone"');
    expect(summary.errors.find((e) => e.code === "unknown_subject")?.subjectExternalId).toBe("ghost");
    const rows = await stored(tenant.id);
    expect(rows.contacts.map((c) => c.external_id)).toEqual(["ok1", "ok2"]);
    expect(rows.links).toHaveLength(1);
  });

  it("control characters and header-injection-looking names are stored as plain one-line text", async () => {
    const tenant = await t.newTenant();
    const summary = await syncJson(t, tenant, {
      contacts: [
        { externalId: "evil", name: "Mary\r\nBcc: everyone@example.com\u0000\u2028", email: "mary@example.com" },
        { externalId: "angle", name: '"Head" <head@school.example>, x@y.example', email: "a@example.com" },
      ],
      subjects: [{ externalId: "s", name: "Tom\tSmith", groups: ["Year\n7"] }],
      links: [{ contactExternalId: "evil", subjectExternalId: "s", relationship: "mum\r\n" }],
    });
    expect(summary.errorCount).toBe(0);
    const rows = await stored(tenant.id);
    expect(rows.contacts.map((c) => c.name)).toEqual([
      '"Head" <head@school.example>, x@y.example',
      "Mary Bcc: everyone@example.com",
    ]);
    expect(rows.subjects[0]?.name).toBe("Tom Smith");
    expect(rows.groups.map((g) => g.name)).toEqual(["Year 7"]);
    expect(rows.links[0]?.relationship).toBe("mum");
    const detail = await t.inject({ method: "GET", url: "/v1/contacts/evil", headers: tenant.auth() });
    expect(detail.statusCode).toBe(200);
    expect(detail.body).not.toMatch(/[\r\n]/);
    expect(json<{ name: string }>(detail).name).toBe("Mary Bcc: everyone@example.com");
  });

  it("an external id given twice in one sync: the later row wins", async () => {
    const tenant = await t.newTenant();
    const summary = await syncJson(t, tenant, {
      contacts: [
        { externalId: "P", name: "First", email: "a@example.com" },
        { externalId: "P", name: "Second", email: "b@example.com" },
        { externalId: "P", name: "Second", email: "b@example.com" },
      ],
    });
    expect(summary.contacts).toEqual(counts(1, 1, 1));
    expect((await stored(tenant.id)).contacts.map((c) => [c.name, c.email])).toEqual([["Second", "b@example.com"]]);
  });

  it("NDJSON: the same school syncs the same way, and again changes nothing", async () => {
    const tenant = await t.newTenant();
    const s = school(5);
    const lines = [
      ...s.contacts.map((c) => ({ type: "contact", ...c })),
      ...s.subjects.map((c) => ({ type: "subject", ...c })),
      ...s.links.map((c) => ({ type: "link", ...c })),
    ];
    const first = await syncNdjson(t, tenant, lines);
    expect([first.contacts, first.subjects, first.links, first.errorCount]).toEqual([
      counts(5),
      counts(5),
      counts(5),
      0,
    ]);
    // The same with a charset parameter and under the newer media type name.
    for (const type of ["application/x-ndjson; charset=utf-8", "application/ndjson"]) {
      const res = await t.inject({
        method: "POST",
        url: "/v1/audience/sync",
        headers: { ...tenant.auth(), "content-type": type },
        payload: ndjsonText(lines),
      });
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
      expect(json<Summary>(res).contacts).toEqual(counts(0, 0, 5));
    }
    const second = await syncNdjson(t, tenant, lines);
    expect([second.contacts, second.subjects, second.links]).toEqual([
      counts(0, 0, 5),
      counts(0, 0, 5),
      counts(0, 0, 5),
    ]);
  });

  it("NDJSON: links may come before their contact and subject, even in an earlier batch", async () => {
    const tenant = await t.newTenant();
    const lines: Record<string, unknown>[] = [];
    // 600 links first (more than one 500-row batch), then their ends.
    for (let i = 0; i < 600; i++) lines.push({ type: "link", contactExternalId: `P${i}`, subjectExternalId: `S${i}` });
    for (let i = 0; i < 600; i++) lines.push({ type: "contact", externalId: `P${i}`, name: `P ${i}` });
    for (let i = 0; i < 600; i++) lines.push({ type: "subject", externalId: `S${i}`, name: `S ${i}` });
    lines.push({ type: "link", contactExternalId: "P1", subjectExternalId: "nobody" });
    const summary = await syncNdjson(t, tenant, lines);
    expect(summary.links).toEqual(counts(600, 0, 0, 1));
    expect(summary.errors).toEqual([
      {
        kind: "link",
        line: 1801,
        externalId: null,
        contactExternalId: "P1",
        subjectExternalId: "nobody",
        code: "unknown_subject",
        message: 'no subject "nobody"',
      },
    ]);
    expect((await stored(tenant.id)).links).toHaveLength(600);
  });

  it("NDJSON: malformed, oversized, typeless and blank lines are per-row errors; the good rows around them land", async () => {
    const tenant = await t.newTenant();
    const text = [
      JSON.stringify({ type: "contact", externalId: "c1", name: "One" }),
      "{not json",
      "",
      JSON.stringify({ type: "contact", externalId: "huge", name: "x".repeat(70_000) }),
      JSON.stringify({ type: "teacher", externalId: "t", name: "T" }),
      JSON.stringify({ externalId: "notype", name: "N" }),
      "[1,2,3]",
      '"just a string"',
      "   ",
      JSON.stringify({ type: "contact", externalId: "c2", name: "Two", extra: 1 }),
      JSON.stringify({ type: "contact", externalId: "c3", name: "Three", email: "bad@" }),
      '{"type":"contact","externalId":"proto","name":"P","__proto__":{"admin":true}}',
      `${JSON.stringify({ type: "subject", externalId: "s\u00e9", name: "\u00c9lodie" })}\r`,
      // The last line has no newline at its end.
      JSON.stringify({ type: "link", contactExternalId: "c1", subjectExternalId: "s\u00e9" }),
    ].join("\n");
    const res = await postNdjson(t, tenant, text);
    expect(res.statusCode, res.body).toBe(200);
    const summary = json<Summary>(res);
    expect(summary.errors.map((e) => [e.line, e.kind, e.code])).toEqual([
      [2, null, "invalid_json"],
      [4, null, "line_too_long"],
      [5, null, "invalid_row"],
      [6, null, "invalid_row"],
      [7, null, "invalid_row"],
      [8, null, "invalid_row"],
      [10, "contact", "unknown_field"],
      [12, "contact", "unknown_field"],
    ]);
    expect(summary.contacts).toEqual(counts(2, 0, 0, 2));
    expect(summary.subjects).toEqual(counts(1));
    expect(summary.links).toEqual(counts(1));
    expect(summary.warnings.map((w) => [w.line, w.externalId])).toEqual([[11, "c3"]]);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const rows = await stored(tenant.id);
    expect(rows.subjects.map((s) => s.name)).toEqual(["\u00c9lodie"]);
  });

  it("NDJSON: a body split at awkward places (inside a line, inside a UTF-8 character) reads the same", async () => {
    const tenant = await t.newTenant();
    const text = ndjsonText([
      { type: "contact", externalId: "k1", name: "Zo\u00eb \u{1F600}" },
      { type: "contact", externalId: "k2", name: "Bj\u00f6rn" },
    ]);
    // light-my-request streams a Buffer payload in one go; a Readable of one-byte chunks is the worst case.
    const { Readable } = await import("node:stream");
    const bytes = Buffer.from(text);
    const res = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: { ...tenant.auth(), "content-type": "application/x-ndjson" },
      payload: Readable.from(
        (function* () {
          for (const b of bytes) yield Buffer.from([b]);
        })(),
      ),
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(json<Summary>(res).contacts).toEqual(counts(2));
    expect((await stored(tenant.id)).contacts.map((c) => c.name)).toEqual(["Zo\u00eb \u{1F600}", "Bj\u00f6rn"]);
  });

  it("hostile bodies: an oversized JSON body is 413 in our shape; junk JSON, wrong envelope and wrong media types are refused", async () => {
    const tenant = await t.newTenant();
    const big = JSON.stringify({ contacts: [{ externalId: "x", name: "y".repeat(6 * 1024 * 1024) }] });
    const tooLarge = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: { ...tenant.auth(), "content-type": "application/json" },
      payload: big,
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(json<ErrorReply>(tooLarge).error.code).toBe("payload_too_large");

    const cases: [unknown, string, number, string][] = [
      ["{nope", "application/json", 400, "invalid_json"],
      ["[]", "application/json", 400, "invalid_request"],
      ['"x"', "application/json", 400, "invalid_request"],
      ['{"contacts":{}}', "application/json", 400, "invalid_request"],
      ['{"teachers":[]}', "application/json", 400, "unknown_field"],
      ['{"contacts":[],"__proto__":{}}', "application/json", 400, "invalid_json"],
      ["externalId,name\nP1,Parent", "text/csv", 415, "unsupported_media_type"],
      ['{"contacts":[]}', "text/plain", 415, "unsupported_media_type"],
    ];
    for (const [payload, type, status, code] of cases) {
      const res = await t.inject({
        method: "POST",
        url: "/v1/audience/sync",
        headers: { ...tenant.auth(), "content-type": type },
        payload: payload as string,
      });
      expect([res.statusCode, json<ErrorReply>(res).error.code], `${type} ${payload}`).toEqual([status, code]);
    }
    const gz = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: { ...tenant.auth(), "content-type": "application/x-ndjson", "content-encoding": "gzip" },
      payload: "x",
    });
    expect([gz.statusCode, json<ErrorReply>(gz).error.code]).toEqual([415, "unsupported_media_type"]);
    const huge = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: {
        ...tenant.auth(),
        "content-type": "application/x-ndjson",
        "content-length": String(300 * 1024 * 1024),
      },
      payload: "",
    });
    expect([huge.statusCode, json<ErrorReply>(huge).error.code]).toEqual([413, "payload_too_large"]);
    expect((await stored(tenant.id)).contacts).toEqual([]);
  });

  it("tenant B never sees or changes tenant A's rows, even with the same external ids", async () => {
    const a = await t.newTenant("School A");
    const b = await t.newTenant("School B");
    await syncJson(t, a, school(3));
    const aBefore = await stored(a.id);
    // B syncs the same ids with other data: all created for B, nothing of A's touched.
    const summary = await syncJson(t, b, {
      contacts: [{ externalId: "P0", name: "B's parent", email: "b@example.com" }],
      subjects: [{ externalId: "S0", name: "B's student", groups: ["Year 7"] }],
      links: [
        { contactExternalId: "P0", subjectExternalId: "S0" },
        // A's P1 and S1 are not B's: unknown.
        { contactExternalId: "P1", subjectExternalId: "S1" },
      ],
    });
    expect(summary.contacts).toEqual(counts(1));
    expect(summary.subjects).toEqual(counts(1));
    expect(summary.links).toEqual(counts(1, 0, 0, 1));
    expect(summary.errors[0]?.code).toBe("unknown_contact");
    expect(await stored(a.id)).toEqual(aBefore);

    const bContacts = json<{ items: { externalId: string; name: string }[] }>(
      await t.inject({ method: "GET", url: "/v1/contacts", headers: b.auth() }),
    );
    expect(bContacts.items.map((c) => c.name)).toEqual(["B's parent"]);
    const aP1 = await t.inject({ method: "GET", url: "/v1/contacts/P1", headers: b.auth("administrator") });
    expect([aP1.statusCode, json<ErrorReply>(aP1).error.code]).toEqual([404, "not_found"]);
    const groups = json<{ items: { name: string; subjectCount: number }[] }>(
      await t.inject({ method: "GET", url: "/v1/subject-groups", headers: b.auth() }),
    );
    expect(groups.items).toEqual([{ name: "Year 7", subjectCount: 1 }]);
    const pref = await t.inject({
      method: "PUT",
      url: "/v1/contacts/P1/preferences",
      headers: b.auth(),
      payload: { optOuts: ["announcement"] },
    });
    expect(pref.statusCode).toBe(404);
    expect(await t.db.selectFrom("contact_opt_outs").selectAll().where("tenant_id", "=", a.id).execute()).toEqual([]);
  });

  it("syncs of one tenant running at once all succeed and leave one row per external id", async () => {
    const tenant = await t.newTenant();
    const body = school(600);
    const lines = ndjsonText([
      ...body.links.map((r) => ({ type: "link", ...r })),
      ...body.subjects.map((r) => ({ type: "subject", ...r, groups: ["Year 9"] })),
      ...body.contacts.map((r) => ({ type: "contact", ...r })),
    ]);
    const results = await Promise.all([
      t.inject({ method: "POST", url: "/v1/audience/sync", headers: tenant.auth(), payload: body }),
      postNdjson(t, tenant, lines),
      t.inject({ method: "POST", url: "/v1/audience/sync", headers: tenant.auth("staff"), payload: body }),
    ]);
    for (const res of results) {
      expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
      expect(json<Summary>(res).errorCount).toBe(0);
    }
    const rows = await stored(tenant.id);
    expect(rows.contacts).toHaveLength(600);
    expect(rows.subjects).toHaveLength(600);
    expect(rows.links).toHaveLength(600);
    // Whichever sync wrote a subject last, its groups column and its group rows agree.
    const groupsOf = new Map<string, string[]>();
    for (const g of rows.groups) groupsOf.set(g.external_id, [...(groupsOf.get(g.external_id) ?? []), g.name]);
    for (const s of rows.subjects) expect(groupsOf.get(s.external_id), s.external_id).toEqual(JSON.parse(s.groups));
  });

  it("every tenant role may sync; no key, a bad key or an operator key may not", async () => {
    const tenant = await t.newTenant();
    for (const role of ["system", "staff", "administrator"] as const) {
      const s = await syncJson(t, tenant, { contacts: [{ externalId: `by-${role}`, name: role }] }, role);
      expect(s.contacts.created).toBe(1);
    }
    const payload = { contacts: [{ externalId: "x", name: "x" }] };
    const none = await t.inject({ method: "POST", url: "/v1/audience/sync", payload });
    const bad = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: { authorization: "Bearer pb_nope_nope" },
      payload,
    });
    const operator = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: await t.operatorAuth(),
      payload,
    });
    const ndjsonNoKey = await t.inject({
      method: "POST",
      url: "/v1/audience/sync",
      headers: { "content-type": "application/x-ndjson" },
      payload: ndjsonText([{ type: "contact", externalId: "x", name: "x" }]),
    });
    expect([none.statusCode, bad.statusCode, operator.statusCode, ndjsonNoKey.statusCode]).toEqual([
      401, 401, 403, 401,
    ]);
    expect(json<ErrorReply>(operator).error.code).toBe("forbidden");
    expect((await stored(tenant.id)).contacts.map((c) => c.external_id)).toEqual([
      "by-administrator",
      "by-staff",
      "by-system",
    ]);
  });
});

describeEachDialect("audience sync with POSTBAG_ALLOW_ADDRESS_LITERALS=true", (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await openTestApp(dialect, { env: { POSTBAG_ALLOW_ADDRESS_LITERALS: "true" } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it("an address literal is a usable address when the operator allows them", async () => {
    const tenant = await t.newTenant();
    const summary = await syncJson(t, tenant, {
      contacts: [{ externalId: "A", name: "Lab server", email: "root@[10.1.2.3]" }],
    });
    expect(summary.warnings).toEqual([]);
    const rows = await t.db
      .selectFrom("contacts")
      .select(["email", "email_problem"])
      .where("tenant_id", "=", tenant.id)
      .execute();
    expect(rows).toEqual([{ email: "root@[10.1.2.3]", email_problem: null }]);
  });
});
