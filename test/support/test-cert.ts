import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Writes a self-signed certificate for localhost, 127.0.0.1 and ::1 into `dir` as `key.pem`
 * and `cert.pem` (openssl, installed by `.ci/run`). Test TLS servers use it; the code under test
 * trusts it through `POSTBAG_EXTRA_CA_FILE` / the network policy.
 */
export function writeSelfSignedCert(dir: string): { keyFile: string; certFile: string } {
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "cert.pem");
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-keyout",
      keyFile,
      "-out",
      certFile,
      "-days",
      "2",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
    ],
    { stdio: "ignore" },
  );
  return { keyFile, certFile };
}

export interface TestCert {
  readonly key: string;
  readonly cert: string;
  readonly certFile: string;
  remove(): void;
}

/** A self-signed certificate in a folder of its own; `remove()` deletes it. */
export function makeCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), "postbag-cert-"));
  const { keyFile, certFile } = writeSelfSignedCert(dir);
  return {
    key: readFileSync(keyFile, "utf8"),
    cert: readFileSync(certFile, "utf8"),
    certFile,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
