import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/** A DKIM key pair as stored: the private key as PKCS#8 PEM, the public key as the record's `p=`. */
export interface DkimKeyPair {
  readonly privateKeyPem: string;
  /** Base64 SPKI DER, exactly what the DNS record's `p=` carries. */
  readonly publicKey: string;
}

/** A new RSA 2048 key pair (RFC 8301: at least 1024 bits; 2048 is what providers expect). */
export function generateDkimKey(): DkimKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey: publicKey.export({ type: "spki", format: "der" }).toString("base64"),
  };
}

/** The public half of a PEM private key, as the record's `p=`. Throws when it is not an RSA key. */
export function dkimPublicKeyOf(privateKeyPem: string): string {
  const key = createPrivateKey(privateKeyPem);
  if (key.asymmetricKeyType !== "rsa") throw new Error(`a DKIM key must be RSA, not ${key.asymmetricKeyType}`);
  return createPublicKey(key).export({ type: "spki", format: "der" }).toString("base64");
}

export class DkimKeyError extends Error {
  override readonly name = "DkimKeyError";
}

/**
 * The operator's DKIM key: read from `file`, or when `generate` is set and the file does not
 * exist yet, generated into it (0600) the way the secret key is — written aside and linked into
 * place, so two processes starting at once end up with the same key.
 */
export function loadOrCreateOperatorDkimKey(file: string, generate: boolean): DkimKeyPair {
  if (existsSync(file)) {
    const pem = readFileSync(file, "utf8");
    try {
      return { privateKeyPem: pem, publicKey: dkimPublicKeyOf(pem) };
    } catch (err) {
      throw new DkimKeyError(`${file} does not hold an RSA private key in PEM form`, { cause: err });
    }
  }
  if (!generate) throw new DkimKeyError(`${file}: no such file`);
  mkdirSync(dirname(file), { recursive: true });
  const pair = generateDkimKey();
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(tmp, pair.privateKeyPem, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    return loadOrCreateOperatorDkimKey(file, false);
  } finally {
    unlinkSync(tmp);
  }
  return pair;
}
