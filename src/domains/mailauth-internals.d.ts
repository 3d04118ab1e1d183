// Types for the parts of mailauth 4 that `dkim-sign.ts` builds its signatures from (mailauth
// ships declarations only for its top-level functions). `test/domains/dkim-sign.test.ts` checks
// that a signature made from these parts is byte for byte mailauth's own `dkimSign`.

declare module "mailauth/lib/tools.js" {
  export interface ParsedHeader {
    readonly key: string | null;
    readonly casedKey: string | undefined;
    readonly line: Buffer;
  }
  export interface SigningHeaderLines {
    readonly keys: string;
    readonly headers: readonly ParsedHeader[];
  }
  export function parseHeaders(buf: Buffer): { parsed: ParsedHeader[]; original: Buffer };
  export function getSigningHeaderLines(parsed: readonly ParsedHeader[], fieldNames?: string): SigningHeaderLines;
  export function formatSignatureHeaderLine(type: "DKIM", values: Record<string, unknown>, folded: boolean): string;
}

declare module "mailauth/lib/dkim/body/index.js" {
  export interface BodyHasher {
    update(chunk: Buffer | null, final?: boolean): void;
    digest(encoding: "base64"): string;
  }
  export function dkimBody(canonicalization: string, algorithm: string, maxBodyLength: number | false): BodyHasher;
}

declare module "mailauth/lib/dkim/header/index.js" {
  import type { SigningHeaderLines } from "mailauth/lib/tools.js";
  export function generateCanonicalizedHeader(
    type: "DKIM",
    signingHeaderLines: SigningHeaderLines,
    options: Record<string, unknown>,
  ): { canonicalizedHeader: Buffer; signatureHeaderLine: string; dkimHeaderOpts: Record<string, unknown> };
}
