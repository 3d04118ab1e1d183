// The console's only way to Postbag: the public /v1 API with the session cookie. Requests that
// change anything carry the session's CSRF token (X-CSRF-Token), as the API requires.
import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";

/** An error answer of the API, `{ error: { code, message } }`, or a network failure. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

let csrfToken: string | undefined;
/** Set from the session (GET /v1/session and every answer that returns a Session). */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

const CHANGES = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function withCsrf(method: string, headers: Headers): Headers {
  if (CHANGES.has(method.toUpperCase()) && csrfToken) headers.set("x-csrf-token", csrfToken);
  return headers;
}

/** Turns a non-2xx answer into an ApiFailure with the API's own message (never a stack trace). */
async function failure(res: Response): Promise<ApiFailure> {
  let code = "http_error";
  let message = `The server answered ${res.status}.`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code) code = body.error.code;
    if (body.error?.message) message = body.error.message;
  } catch {
    // Not JSON (a proxy's error page): keep the generic message.
  }
  const retry = Number(res.headers.get("retry-after"));
  return new ApiFailure(res.status, code, message, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    withCsrf(request.method, request.headers);
    return request;
  },
};

/** Typed client for the routes in the generated OpenAPI types. */
export const client = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
client.use(csrfMiddleware);

/** Unwraps an openapi-fetch answer: the data, or throws an ApiFailure. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await call;
  } catch {
    throw new ApiFailure(0, "network", "Postbag could not be reached. Check the connection and try again.");
  }
  if (!answer.response.ok) {
    const { error } = answer as { error?: { error?: { code?: string; message?: string } } };
    const retry = Number(answer.response.headers.get("retry-after"));
    throw new ApiFailure(
      answer.response.status,
      error?.error?.code ?? "http_error",
      error?.error?.message ?? `The server answered ${answer.response.status}.`,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
  }
  return answer.data as T;
}

/**
 * A JSON request to a route of the console contract. Used where the generated types do not
 * (yet) describe the route; the answer type is the caller's.
 */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers = withCsrf(method, new Headers({ accept: "application/json" }));
  if (body !== undefined) headers.set("content-type", "application/json");
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiFailure(0, "network", "Postbag could not be reached. Check the connection and try again.");
  }
  if (!res.ok) throw await failure(res);
  if (res.status === 204 || res.status === 202) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A short, human message for any error (API, network or a bug), never a stack trace. */
export function describeError(err: unknown): string {
  if (err instanceof ApiFailure) {
    if (err.code === "rate_limited") {
      return err.retryAfter
        ? `Too many attempts. Try again in ${Math.ceil(err.retryAfter / 60)} minute(s), or use a sign-in link.`
        : "Too many attempts. Try again later, or use a sign-in link.";
    }
    if (err.code === "forbidden") return `You may not do this: ${err.message}`;
    return err.message;
  }
  return "Something went wrong. Reload the page and try again.";
}
