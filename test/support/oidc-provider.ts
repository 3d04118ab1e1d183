import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import Provider from "oidc-provider";
import type { TestCert } from "./test-cert.js";

/**
 * A real OAuth2 / OpenID authorization server on loopback (`oidc-provider`, the certified
 * implementation), over HTTPS with the test certificate: the settings wizard's Connect signs in
 * here instead of at Microsoft or Google. Its development login and consent pages accept any
 * login name; PKCE (S256) is required, as the big providers require it of public flows.
 *
 * Like Microsoft and Google, it does not rotate refresh tokens on use (test connection trades the
 * draft's refresh token and stores nothing, so a provider that rotated would spend it).
 */
export interface OidcServer {
  /** https://localhost:PORT */
  readonly issuer: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The account an access token was issued for, if the token is valid now (an SMTP server's check). */
  accountOf(accessToken: string): Promise<string | null>;
  /** Token requests the provider granted, by grant type (`authorization_code`, `refresh_token`). */
  readonly tokenRequests: { grantType: string }[];
  close(): Promise<void>;
}

/** Scopes the wizard asks Microsoft and Google for, known to this server. */
const MAIL_SCOPES = [
  "offline_access",
  "https://outlook.office.com/SMTP.Send",
  "https://outlook.office.com/IMAP.AccessAsUser.All",
  "https://outlook.office.com/POP.AccessAsUser.All",
  "https://mail.google.com/",
];

export async function startOidcProvider(
  cert: TestCert,
  options: { readonly redirectUris: readonly string[]; readonly clientId?: string; readonly clientSecret?: string },
): Promise<OidcServer> {
  const clientId = options.clientId ?? "postbag-test-client";
  const clientSecret = options.clientSecret ?? "postbag-test-client-secret-0123456789";
  const tokenRequests: OidcServer["tokenRequests"] = [];
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server = createServer({ key: cert.key, cert: cert.cert }, (req, res) => handler(req, res));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const issuer = `https://localhost:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [...options.redirectUris],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    scopes: MAIL_SCOPES,
    pkce: { required: () => true, methods: ["S256"] },
    features: { devInteractions: { enabled: true } },
    issueRefreshToken: async () => true,
    rotateRefreshToken: false,
    cookies: { keys: ["postbag-test-cookie-key-0123456789abcdef"] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: id }) }),
    ttl: { AccessToken: 3600, AuthorizationCode: 120, Grant: 3600, Interaction: 600, Session: 3600 },
  });
  provider.proxy = false;
  // Errors the provider reports (bad PKCE, a reused code) are answers to the client, not test failures.
  provider.on("server_error", () => {});
  provider.on("grant.success", (ctx) => {
    tokenRequests.push({ grantType: String(ctx.oidc.params?.grant_type ?? "") });
  });
  handler = provider.callback();
  return {
    issuer,
    authorizeUrl: `${issuer}/auth`,
    tokenUrl: `${issuer}/token`,
    clientId,
    clientSecret,
    tokenRequests,
    async accountOf(accessToken) {
      const token = await provider.AccessToken.find(accessToken);
      return token && !token.isExpired ? token.accountId : null;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Signs in at the provider's development pages the way a browser would, without one: follows the
 * authorization URL, posts the login form (`login`) and the consent form, and returns the URL the
 * provider redirects back to (the wizard's callback with `code` and `state`).
 */
export async function signInWithoutBrowser(authorizeUrl: string, login: string, ca: string): Promise<string> {
  const jar = new Map<string, string>();
  const origin = new URL(authorizeUrl).origin;
  let url = authorizeUrl;
  let form: string | undefined;
  for (let hop = 0; hop < 12; hop++) {
    const res = await send(url, form, [...jar].map(([k, v]) => `${k}=${v}`).join("; "), ca);
    for (const line of res.cookies) {
      const pair = line.split(";")[0] ?? "";
      const eq = pair.indexOf("=");
      if (eq > 0) jar.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    form = undefined;
    if (res.location) {
      const next = new URL(res.location, url).toString();
      if (!next.startsWith(origin)) return next;
      url = next;
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(res.body)?.[1];
    const prompt = /name="prompt" value="([^"]+)"/.exec(res.body)?.[1];
    if (!action || !prompt)
      throw new Error(`unexpected page from the provider (${res.status}): ${res.body.slice(0, 500)}`);
    url = new URL(action, url).toString();
    form = new URLSearchParams(prompt === "login" ? { prompt, login, password: "any" } : { prompt }).toString();
  }
  throw new Error("the provider never redirected back");
}

function send(
  url: string,
  form: string | undefined,
  cookie: string,
  ca: string,
): Promise<{ status: number; location: string | undefined; cookies: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: form === undefined ? "GET" : "POST",
        ca,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(form === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            location: res.headers.location,
            cookies: res.headers["set-cookie"] ?? [],
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(form);
  });
}
