import { createPrivateKey, type KeyObject, sign } from "node:crypto";
import { dkimBody } from "mailauth/lib/dkim/body/index.js";
import { generateCanonicalizedHeader } from "mailauth/lib/dkim/header/index.js";
import { formatSignatureHeaderLine, getSigningHeaderLines, parseHeaders } from "mailauth/lib/tools.js";
import type { DomainKey } from "./domain-store.js";

const CANONICALIZATION = "relaxed/relaxed";
const ALGORITHM = "rsa-sha256";
const HEADER_END = Buffer.from("\r\n\r\n");

/** Parsed keys by PEM: parsing a PEM costs more than the RSA operation itself. */
const keyObjects = new Map<string, KeyObject>();
const KEY_CACHE_MAX = 1_000;

function keyObjectOf(pem: string): KeyObject {
  let key = keyObjects.get(pem);
  if (!key) {
    if (keyObjects.size >= KEY_CACHE_MAX) keyObjects.clear();
    key = createPrivateKey(pem);
    keyObjects.set(pem, key);
  }
  return key;
}

/**
 * `raw` with every LF that has no CR before it made CRLF, as it goes over SMTP and as mailauth
 * reads it (Nodemailer leaves a 7bit body's line breaks as they were given).
 */
function withCrlf(raw: Buffer): Buffer {
  for (let at = raw.indexOf(0x0a); at !== -1; at = raw.indexOf(0x0a, at + 1)) {
    if (at === 0 || raw[at - 1] !== 0x0d)
      return Buffer.from(raw.toString("latin1").replace(/\r?\n/g, "\r\n"), "latin1");
  }
  return raw;
}

/**
 * The DKIM-Signature header field (RFC 6376, rsa-sha256, relaxed/relaxed, mailauth's default
 * header list), ending in CRLF, to put in front of `raw`.
 *
 * Built from mailauth's own canonicalisation and formatting, so the result is byte for byte what
 * mailauth's `dkimSign` gives, at a fraction of its cost: the message is split once instead of
 * streamed a byte at a time, the PEM is parsed once per key instead of once per message, and the
 * RSA operation runs on libuv's thread pool, off the calling thread. A message with no blank
 * line after its header is refused, as mailauth refuses it (it gives no signature).
 */
export async function dkimSignatureFor(message: Buffer, identity: DomainKey, signTime: Date): Promise<string> {
  const raw = withCrlf(message);
  const end = raw.indexOf(HEADER_END);
  if (end === -1) throw new Error("no blank line after the header: no signature");

  const headers = parseHeaders(raw.subarray(0, end + HEADER_END.length));
  const hasher = dkimBody(CANONICALIZATION, ALGORITHM, false);
  hasher.update(raw.subarray(end + HEADER_END.length));
  const bodyHash = hasher.digest("base64");

  const { canonicalizedHeader, dkimHeaderOpts } = generateCanonicalizedHeader(
    "DKIM",
    getSigningHeaderLines(headers.parsed),
    {
      signingDomain: identity.domain,
      selector: identity.selector,
      algorithm: ALGORITHM,
      canonicalization: CANONICALIZATION,
      signTime,
      bodyHash,
    },
  );
  const key = keyObjectOf(identity.privateKeyPem);
  const signature = await new Promise<Buffer>((resolve, reject) =>
    sign(ALGORITHM, canonicalizedHeader, key, (err, out) => (err ? reject(err) : resolve(out))),
  );
  return `${formatSignatureHeaderLine("DKIM", { ...dkimHeaderOpts, b: signature.toString("base64") }, true)}\r\n`;
}
