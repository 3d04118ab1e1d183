import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from "node:crypto";

/**
 * Secrets at rest (mail account passwords, OAuth tokens, webhook signing secrets) are sealed
 * with AES-256-GCM under a key derived from the service's secret key, which lives outside the
 * database (POSTBAG_SECRET_KEY or DATA_DIR/secret.key). A database dump alone reveals nothing.
 * The `context` (e.g. `account:<tenant id>`) is bound as associated data, so a sealed value
 * copied into another tenant's row does not open there.
 *
 * Format: `v1.<iv>.<ciphertext>.<tag>`, each part base64url.
 */
const VERSION = "v1";

function keyFor(secretKey: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secretKey, Buffer.alloc(0), "postbag secret box v1", 32));
}

const keys = new Map<string, Buffer>();
function cachedKey(secretKey: string): Buffer {
  const id = createHash("sha256").update(secretKey).digest("hex");
  let key = keys.get(id);
  if (!key) {
    key = keyFor(secretKey);
    keys.set(id, key);
  }
  return key;
}

export function seal(secretKey: string, context: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", cachedKey(secretKey), iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [
    VERSION,
    iv.toString("base64url"),
    body.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
  ].join(".");
}

export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
}

/** Opens a sealed value. Throws SecretBoxError if it was tampered with, or sealed for another context or key. */
export function open(secretKey: string, context: string, sealed: string): string {
  const [version, iv, body, tag] = sealed.split(".");
  if (version !== VERSION || !iv || body === undefined || !tag) throw new SecretBoxError("not a sealed value");
  try {
    const decipher = createDecipheriv("aes-256-gcm", cachedKey(secretKey), Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString("utf8");
  } catch (err) {
    throw new SecretBoxError("sealed value does not open with this key and context", { cause: err });
  }
}

/** Shows that a secret is set without showing it: `••••1234` (last 4 characters of long secrets). */
export function maskSecret(secret: string | null | undefined): string | null {
  if (!secret) return null;
  return secret.length >= 12 ? `••••${secret.slice(-4)}` : "••••";
}
