// Who is signed in: GET /v1/session, kept in TanStack Query under ["session"]. Every answer that
// returns a Session (sign-in, switching tenant) replaces it, and the CSRF token with it.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useContext } from "react";
import { ApiFailure, api, setCsrfToken } from "./api/client";
import type { Membership, Role, Session } from "./api/types";

export const SESSION_KEY = ["session"] as const;

async function fetchSession(): Promise<Session | null> {
  try {
    const session = await api<Session>("GET", "/v1/session");
    setCsrfToken(session.csrfToken);
    return session;
  } catch (err) {
    if (err instanceof ApiFailure && err.status === 401) {
      setCsrfToken(undefined);
      return null;
    }
    throw err;
  }
}

export function useSessionQuery() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: 60_000, retry: false });
}

/** Stores a Session an answer returned (sign-in, redeem, accept, switch) and refetches tenant data. */
export function useAdoptSession(): (session: Session | null) => void {
  const queryClient = useQueryClient();
  return (session) => {
    setCsrfToken(session?.csrfToken);
    // Everything else belonged to the previous person or tenant.
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
    queryClient.setQueryData(SESSION_KEY, session);
  };
}

export interface Signedin {
  session: Session;
  /** The active tenant's membership; undefined for an operator without a tenant. */
  membership: Membership | undefined;
  role: Role | undefined;
  isAdmin: boolean;
  /** The active tenant's time zone, for every date shown. */
  timezone: string;
}

const SignedInContext = createContext<Signedin | undefined>(undefined);

export function SignedInProvider({ session, children }: { session: Session; children: ReactNode }) {
  const membership = session.memberships.find((m) => m.tenantId === session.activeTenantId);
  const value: Signedin = {
    session,
    membership,
    role: membership?.role,
    isAdmin: membership?.role === "administrator",
    timezone: membership?.timezone ?? "UTC",
  };
  return <SignedInContext.Provider value={value}>{children}</SignedInContext.Provider>;
}

export function useSignedIn(): Signedin {
  const value = useContext(SignedInContext);
  if (!value) throw new Error("useSignedIn outside a signed-in page");
  return value;
}
