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

export type Role = "administrator" | "staff";

export interface Membership {
  tenantId: string;
  tenantName: string;
  role: Role;
  timezone: string;
}

export interface Session {
  person: { id: string; email: string; name: string };
  operator: boolean;
  memberships: Membership[];
  activeTenantId: string | null;
  csrfToken: string;
  expiresAt: string;
}

export interface Invitation {
  email: string;
  name: string;
  tenantName: string | null;
  role: Role | null;
  operator: boolean;
}

export interface Person {
  id: string;
  email: string;
  name: string;
  role: Role;
  lastSignInAt: string | null;
  invitedPending: boolean;
}

export interface ApiKey {
  id: string;
  name: string | null;
  role: string;
  createdBy: { id: string; name: string } | string | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: string;
  at: string;
  actor: { kind: "person" | "key"; id: string; name: string | null };
  action: string;
  target: string | null;
  detail: unknown;
}

export interface TenantInfo {
  id: string;
  name: string;
  timezone: string;
  pendingTimezone: string | null;
  timezoneEffectiveFrom: string | null;
}

export interface Price {
  amount: number;
  currency: string;
}

export type Overview = Answer<"/v1/reports/overview", "get">;
export type Credits = Answer<"/v1/credits", "get">;
export type MonthUsage = Answer<"/v1/reports/usage", "get">[number];
export type Package = Answer<"/v1/packages", "get">["items"][number] & { price?: Price | null };
export type Suppression = Answer<"/v1/suppressions", "get">["items"][number];
