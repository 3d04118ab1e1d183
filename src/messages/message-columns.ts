import { type Static, type TSchema, Type } from "typebox";
import { jsonCodec } from "../db/json-codec.js";

/*
 * The codecs of the JSON columns of `messages` and of `announcements` (the templates behind
 * announcement messages), checked on every read (see db/json-codec.ts).
 */

const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

const StoredAddress = Type.Object({ email: Type.String(), name: Type.Optional(Nullable(Type.String())) });

/** An address as shown in a header: `name <email>`. */
export type StoredAddress = Static<typeof StoredAddress>;

/** `messages.header_recipients`: the To and Cc headers as composed (Bcc is never stored here). */
export const headerRecipientsColumn = jsonCodec(
  "messages.header_recipients",
  Type.Object({ to: Type.Array(StoredAddress), cc: Type.Array(StoredAddress) }),
);

/** `messages.reply_to` (the column is null when there is none). */
export const replyToColumn = jsonCodec("messages.reply_to", StoredAddress);

/** `messages.headers`: the caller's extra `X-` headers, name to value. */
export const messageHeadersColumn = jsonCodec("messages.headers", Type.Record(Type.String(), Type.String()));

/** `announcements.audience`: who an announcement goes to, by external id and group name. */
export const audienceColumn = jsonCodec(
  "announcements.audience",
  Type.Object({
    contacts: Type.Optional(Type.Array(Type.String())),
    subjects: Type.Optional(Type.Array(Type.String())),
    subjectGroups: Type.Optional(Type.Array(Type.String())),
  }),
);

/** `announcements.merge_data`: per subject external id, its merge fields as text. */
export const mergeDataColumn = jsonCodec(
  "announcements.merge_data",
  Type.Record(Type.String(), Type.Record(Type.String(), Type.String())),
);
