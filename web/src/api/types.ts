// Types of the console <-> API contract (docs/console.md), and of the generated routes used.
import type { paths } from "./schema";

type Json<R> = R extends { content: { "application/json": infer B } } ? B : never;
/** The 200/201 body of `method path` in the generated OpenAPI types. */
export type Answer<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer Rs;
}
  ? Rs extends { 200: infer R }
    ? Json<R>
    : Rs extends { 201: infer R }
      ? Json<R>
      : never
  : never;

export type Session = Answer<"/v1/session", "get">;
export type Membership = Session["memberships"][number];
export type Role = Membership["role"];
export type Invitation = Answer<"/v1/invitations/{token}", "get">;
export type Person = Answer<"/v1/people", "get">["items"][number];
export type ApiKey = Answer<"/v1/keys", "get">["items"][number];
export type AuditEntry = Answer<"/v1/audit", "get">["items"][number];
export type TenantInfo = Answer<"/v1/tenant", "get">;

export type Overview = Answer<"/v1/reports/overview", "get">;
export type Credits = Answer<"/v1/credits", "get">;
export type MonthUsage = Answer<"/v1/reports/usage", "get">[number];
export type Package = Answer<"/v1/packages", "get">["items"][number];
export type Suppression = Answer<"/v1/suppressions", "get">["items"][number];

export type OperatorTenant = Answer<"/v1/operator/tenants", "get">["items"][number];
export type OperatorPackage = Answer<"/v1/operator/packages", "get">["items"][number];
export type InvitationSent = Answer<"/v1/operator/tenants/{id}/invitations", "post">;
export type OperatorTenantDetail = Answer<"/v1/operator/tenants/{id}", "get">;
export type OperatorNotice = OperatorTenantDetail["notices"][number];
export type OperatorCreditSettings = Answer<"/v1/operator/credit-settings", "get">;
export type TenantCreditSettings = Answer<"/v1/operator/tenants/{id}/credit-settings", "get">;
export type OperatorGroup = Answer<"/v1/operator/groups", "get">["items"][number];
export type OperatorGroupDetail = Answer<"/v1/operator/groups/{id}", "get">;
export type LedgerEntry = Answer<"/v1/operator/groups/{id}/ledger", "get">["items"][number];
export type OverLimitTenant = Answer<"/v1/operator/reports/over-limit", "get">["items"][number];
export type RepeatOffender = Answer<"/v1/operator/reports/repeat-offenders", "get">["items"][number];
export type OperatorQueue = Answer<"/v1/operator/queue", "get">;
export type OperatorHealth = Answer<"/v1/operator/health", "get">;

export type ContactItem = Answer<"/v1/contacts", "get">["items"][number];
export type ContactDetail = Answer<"/v1/contacts/{externalId}", "get">;
export type StudentItem = Answer<"/v1/subjects", "get">["items"][number];
export type StudentDetail = Answer<"/v1/subjects/{externalId}", "get">;
export type InboxItem = Answer<"/v1/inbox", "get">["items"][number];
export type InboxDetail = Answer<"/v1/inbox/{id}", "get">;
export type DigestOffer = Answer<"/v1/settings/digest-offer", "get">;
