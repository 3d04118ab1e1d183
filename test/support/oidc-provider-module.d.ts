// The little of oidc-provider 8's API the tests use (the package ships no types).
declare module "oidc-provider" {
  import type { IncomingMessage, ServerResponse } from "node:http";

  interface Account {
    accountId: string;
    claims(): Promise<Record<string, unknown>>;
  }

  interface KoaContext {
    oidc: { params?: Record<string, unknown> };
  }

  interface AccessToken {
    accountId: string;
    isExpired: boolean;
  }

  export default class Provider {
    constructor(
      issuer: string,
      configuration: Record<string, unknown> & {
        findAccount?: (ctx: KoaContext, id: string) => Promise<Account | undefined>;
      },
    );
    proxy: boolean;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: string, listener: (ctx: KoaContext, ...rest: unknown[]) => void): this;
    AccessToken: { find(token: string): Promise<AccessToken | undefined> };
  }
}
