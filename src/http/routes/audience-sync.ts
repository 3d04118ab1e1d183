import type { Readable } from "node:stream";
import { Type } from "typebox";
import { AudienceSync } from "../../audience/audience-sync.js";
import { BodyTooLarge } from "../../audience/ndjson-lines.js";
import { type SyncBody, syncFromJson, syncFromNdjson } from "../../audience/sync-input.js";
import {
  MAX_EXTERNAL_ID_CHARS,
  MAX_GROUP_CHARS,
  MAX_GROUPS,
  MAX_NAME_CHARS,
  MAX_RELATIONSHIP_CHARS,
  rowErrorCodes,
  rowKinds,
} from "../../audience/sync-rows.js";
import { ApiError } from "../../errors/api-error.js";
import { type App, type AppDeps, tenantOf } from "../route-context.js";
import { ErrorBody, errorResponses, Nullable, StringEnum } from "../schemas.js";

/** A JSON sync is parsed whole, so it stays modest; large syncs use NDJSON, which streams. */
export const SYNC_JSON_MAX_BYTES = 5 * 1024 * 1024;
export const SYNC_MAX_LINE_BYTES = 64 * 1024;

const NDJSON = "application/x-ndjson";

const ExternalId = Type.String({ minLength: 1, maxLength: MAX_EXTERNAL_ID_CHARS });

// Rows are documented here but checked one by one by the sync itself (src/audience/sync-rows.ts),
// so that a bad row becomes an entry in `errors` instead of refusing the whole call.
const ContactRow = Type.Object(
  {
    externalId: ExternalId,
    name: Type.String({ maxLength: MAX_NAME_CHARS }),
    email: Type.Optional(
      Nullable(
        Type.String({
          description: "An unusable address is kept (emailGiven, emailProblem) and the contact has no email",
        }),
      ),
    ),
  },
  { additionalProperties: false },
);
const SubjectRow = Type.Object(
  {
    externalId: ExternalId,
    name: Type.String({ maxLength: MAX_NAME_CHARS }),
    groups: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: MAX_GROUP_CHARS }), {
        maxItems: MAX_GROUPS,
        description: "Year, class, …; replaces the subject's groups",
      }),
    ),
  },
  { additionalProperties: false },
);
const LinkRow = Type.Object(
  {
    contactExternalId: ExternalId,
    subjectExternalId: ExternalId,
    relationship: Type.Optional(Nullable(Type.String({ maxLength: MAX_RELATIONSHIP_CHARS }))),
    receivesMail: Type.Optional(Type.Boolean({ default: true })),
  },
  { additionalProperties: false },
);

const JsonBody = Type.Object(
  {
    contacts: Type.Optional(Type.Array(ContactRow)),
    subjects: Type.Optional(Type.Array(SubjectRow)),
    links: Type.Optional(Type.Array(LinkRow)),
  },
  { additionalProperties: false },
);

const Counts = Type.Object({
  created: Type.Integer(),
  updated: Type.Integer(),
  unchanged: Type.Integer(),
  failed: Type.Integer(),
});

const RowReport = Type.Object({
  kind: Nullable(StringEnum(rowKinds)),
  index: Type.Optional(Type.Integer({ description: "JSON: the row's index in its array, from 0" })),
  line: Type.Optional(Type.Integer({ description: "NDJSON: the line number, from 1" })),
  externalId: Nullable(Type.String()),
  contactExternalId: Type.Optional(Nullable(Type.String())),
  subjectExternalId: Type.Optional(Nullable(Type.String())),
  code: StringEnum([...rowErrorCodes, "invalid_email"]),
  message: Type.String(),
});

const Summary = Type.Object({
  contacts: Counts,
  subjects: Counts,
  links: Counts,
  errors: Type.Array(RowReport, { description: "Rows not applied (the first 1,000)" }),
  errorCount: Type.Integer(),
  warnings: Type.Array(RowReport, {
    description: "Contacts kept without an address because the one given is unusable (the first 1,000)",
  }),
  warningCount: Type.Integer(),
});

function isStream(body: unknown): body is Readable {
  return typeof body === "object" && body !== null && Symbol.asyncIterator in body && "pipe" in body;
}

/** The top level of a JSON sync; rows inside are the sync's business. */
function envelope(body: unknown): SyncBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError("invalid_request", "body must be an object { contacts?, subjects?, links? }");
  }
  for (const key of Object.keys(body)) {
    if (key !== "contacts" && key !== "subjects" && key !== "links") {
      throw new ApiError("unknown_field", `unknown field ${JSON.stringify(key.slice(0, 100))} at /`, [
        { path: `/${key.slice(0, 100)}`, message: "must NOT have additional properties" },
      ]);
    }
    if (!Array.isArray((body as Record<string, unknown>)[key])) {
      throw new ApiError("invalid_request", `body/${key} must be an array`, [
        { path: `/${key}`, message: "must be array" },
      ]);
    }
  }
  return body as SyncBody;
}

/** A client that goes away mid-body is not a server fault. */
function isAborted(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === "ECONNRESET" || code === "ERR_STREAM_PREMATURE_CLOSE";
}

/**
 * `POST /v1/audience/sync`: upserts contacts, subjects and links by external id and answers a
 * summary with per-row errors. JSON bodies (up to 5 MB) are parsed whole; NDJSON bodies (up to
 * POSTBAG_AUDIENCE_SYNC_MAX_BYTES, 200 MB by default) are read as a stream and written in batches, never held in memory.
 */
export function registerAudienceSyncRoute(app: App, { database, clock, config }: AppDeps): void {
  const maxNdjsonBytes = config.audienceSyncMaxBytes;
  // A scope of its own, so that only this route takes NDJSON.
  app.register(async (scope) => {
    // `application/ndjson` is the newer name some clients send.
    scope.addContentTypeParser([NDJSON, "application/ndjson"], (request, payload, done) => {
      const encoding = request.headers["content-encoding"];
      if (encoding !== undefined && encoding !== "identity") {
        done(new ApiError("unsupported_media_type", "send the NDJSON body without Content-Encoding"), undefined);
        return;
      }
      if (Number(request.headers["content-length"]) > maxNdjsonBytes) {
        done(new ApiError("payload_too_large", `an NDJSON sync may be at most ${maxNdjsonBytes} bytes`), undefined);
        return;
      }
      // The raw stream: the handler reads it line by line.
      done(null, payload);
    });

    scope.post(
      "/v1/audience/sync",
      {
        config: { access: { auth: "tenant", roles: ["system", "staff", "administrator"] } },
        bodyLimit: SYNC_JSON_MAX_BYTES,
        // Only the top level is checked before the handler (see `envelope`): rows are checked
        // one at a time, and a bad one is reported, not a reason to refuse the others.
        validatorCompiler: () => () => true,
        schema: {
          tags: ["audience"],
          summary: "Sync contacts, subjects and links by external id (JSON, or NDJSON for large syncs)",
          description:
            "Upserts by the tenant's external ids: a row replaces the stored fields; an unchanged row writes nothing, " +
            "so the same sync twice answers all `unchanged` the second time. Contacts and subjects are applied before " +
            "links. A row that cannot be applied is listed in `errors` (with its index or line) and the others still " +
            "are. JSON: up to 5 MB. NDJSON (`Content-Type: application/x-ndjson`): one " +
            '`{"type":"contact"|"subject"|"link", …row}` a line, lines up to 64 KB, bodies up to 200 MB (operator setting), streamed.',
          body: {
            content: {
              "application/json": { schema: JsonBody },
              [NDJSON]: {
                schema: Type.String({
                  description:
                    'One JSON object a line: {"type":"contact",…} | {"type":"subject",…} | {"type":"link",…}',
                }),
              },
            },
          },
          response: { 200: Summary, 413: ErrorBody, 415: ErrorBody, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { tenantId } = tenantOf(request);
        const sync = new AudienceSync(database.db, tenantId, clock, {
          allowAddressLiterals: config.allowAddressLiterals,
        });
        const body: unknown = request.body;
        if (isStream(body)) {
          try {
            await syncFromNdjson(sync, body, {
              maxLineBytes: SYNC_MAX_LINE_BYTES,
              maxBodyBytes: maxNdjsonBytes,
            });
          } catch (err) {
            if (err instanceof BodyTooLarge) {
              // The rest of the body is not read; the connection cannot be reused.
              reply.header("connection", "close");
              throw new ApiError(
                "payload_too_large",
                `an NDJSON sync may be at most ${err.maxBodyBytes} bytes; rows before line ${err.line + 1} may have been ` +
                  "applied, and syncing again is safe",
              );
            }
            if (isAborted(err))
              throw new ApiError("invalid_request", "the request body ended early", undefined, { cause: err });
            throw err;
          }
        } else {
          await syncFromJson(sync, envelope(body));
        }
        return sync.finish();
      },
    );
  });
}
