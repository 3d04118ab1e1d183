import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSelfSignedCert } from "./test-cert.js";

/**
 * A real Dovecot (IMAP + POP3) for tests, started from a throw-away config on loopback high
 * ports: plain IMAP/POP3 (with STARTTLS/STLS offered) and implicit TLS (IMAPS/POP3S) with a
 * self-signed certificate made by `openssl`. Users live in a passwd-file; mail in maildirs
 * under a temp folder, so `deliver` just writes a file into `new/`.
 *
 * Dovecot penalises an address for seconds after a failed login (its anvil penalty, not
 * configurable in 2.3), so tests that log in with a wrong password should run after the others
 * on the same instance.
 *
 * When Dovecot is not installed the tests that need it are skipped with a message, except under
 * CI=true, where `.ci/run` installs it and a missing binary is an error.
 */
export interface DovecotUser {
  readonly user: string;
  readonly pass: string;
}

export interface Dovecot {
  readonly host: "127.0.0.1";
  readonly imapPort: number;
  readonly imapsPort: number;
  readonly pop3Port: number;
  readonly pop3sPort: number;
  /** PEM of the self-signed certificate (CN and SAN `localhost` and 127.0.0.1): pass as `ca`. */
  readonly cert: string;
  readonly users: readonly DovecotUser[];
  /** Writes a raw message into the user's maildir (`folder` default INBOX); returns the file name. */
  deliver(user: string, raw: string | Buffer, folder?: string): Promise<string>;
  /** Creates an (empty) IMAP folder for the user. */
  createFolder(user: string, folder: string): Promise<void>;
  /** The last lines of Dovecot's log, for failure messages. */
  log(): Promise<string>;
  stop(): Promise<void>;
}

const DOVECOT = ["/usr/sbin/dovecot", "/usr/local/sbin/dovecot"].find((p) => existsSync(p));

/** Why Dovecot tests cannot run here, or null if they can. Throws under CI=true. */
export function dovecotMissing(): string | null {
  if (DOVECOT && existsSync("/usr/lib/dovecot/pop3") && existsSync("/usr/lib/dovecot/imap")) return null;
  const reason = "Dovecot (dovecot-imapd, dovecot-pop3d) is not installed: Dovecot tests skipped";
  if (process.env.CI === "true") throw new Error(`${reason.split(":")[0]}; it is required when CI=true`);
  console.warn(reason);
  return reason;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no port");
  return address.port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.connect(port, "127.0.0.1");
  });
}

export interface StartDovecotOptions {
  readonly users?: readonly DovecotUser[];
  /**
   * Also accept XOAUTH2 logins, checking each token at this RFC 7662 introspection endpoint
   * (Dovecot's oauth2 passdb POSTs `token=…`; the answer's `active` and `username` decide).
   */
  readonly oauth2IntrospectionUrl?: string;
}

export async function startDovecot(options: StartDovecotOptions = {}): Promise<Dovecot> {
  if (!DOVECOT) throw new Error("dovecot is not installed");
  const users = options.users ?? [{ user: "alice", pass: `pw-${randomBytes(6).toString("hex")}` }];
  const root = await mkdtemp(join(tmpdir(), "postbag-dovecot-"));
  // Dovecot drops privileges: as root, mail is owned by the `dovecot` user and the login
  // processes run as `dovenull`; as anyone else, everything runs as that user.
  const isRoot = process.getuid?.() === 0;
  const mailUid = isRoot ? Number(execFileSync("id", ["-u", "dovecot"]).toString().trim()) : process.getuid?.();
  const mailGid = isRoot ? Number(execFileSync("id", ["-g", "dovecot"]).toString().trim()) : process.getgid?.();
  const me = isRoot ? null : execFileSync("id", ["-un"]).toString().trim();
  await chmod(root, 0o755);
  writeSelfSignedCert(root);
  const cert = await readFile(join(root, "cert.pem"), "utf8");
  const [imapPort, imapsPort, pop3Port, pop3sPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];

  const home = (user: string) => join(root, "home", user);
  for (const u of users) {
    for (const sub of ["cur", "new", "tmp"]) await mkdir(join(home(u.user), "Maildir", sub), { recursive: true });
  }
  await writeFile(join(root, "passwd"), users.map((u) => `${u.user}:{PLAIN}${u.pass}::::::\n`).join(""));
  const conf = `
base_dir = ${root}/run
state_dir = ${root}/state
log_path = ${root}/dovecot.log
info_log_path = ${root}/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <${root}/cert.pem
ssl_key = <${root}/key.pem
ssl_dh = <${existsSync("/usr/share/dovecot/dh.pem") ? "/usr/share/dovecot/dh.pem" : `${root}/dh.pem`}
disable_plaintext_auth = no
auth_mechanisms = plain login${options.oauth2IntrospectionUrl ? " xoauth2" : ""}
# Tests try wrong passwords on purpose; no delay after a failure.
auth_failure_delay = 0

first_valid_uid = ${mailUid}
last_valid_uid = 0
${isRoot ? "" : `default_login_user = ${me}\ndefault_internal_user = ${me}`}
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
${
  options.oauth2IntrospectionUrl
    ? `passdb {
  driver = oauth2
  mechanisms = xoauth2
  args = ${root}/oauth2.conf.ext
}
`
    : ""
}passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${root}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${root}/home/%u
}
namespace inbox {
  inbox = yes
  separator = /
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${imapPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${imapsPort}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${pop3Port}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${pop3sPort}
    ssl = yes
  }
}
`;
  await writeFile(join(root, "dovecot.conf"), conf);
  if (options.oauth2IntrospectionUrl) {
    await writeFile(
      join(root, "oauth2.conf.ext"),
      `introspection_mode = post\nintrospection_url = ${options.oauth2IntrospectionUrl}\n` +
        "username_attribute = username\nactive_attribute = active\nactive_value = true\n",
    );
  }
  if (isRoot) await chownTree(join(root, "home"), mailUid ?? 0, mailGid ?? 0);

  const child: ChildProcess = spawn(DOVECOT, ["-F", "-c", join(root, "dovecot.conf")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const readLog = async () => {
    try {
      return (await readFile(join(root, "dovecot.log"), "utf8")).split("\n").slice(-40).join("\n");
    } catch {
      return "";
    }
  };

  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dovecot exited: ${stderr}\n${await readLog()}`);
    const up = await Promise.all([imapPort, imapsPort, pop3Port, pop3sPort].map(canConnect));
    if (up.every(Boolean)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`dovecot did not listen within 15 s: ${stderr}\n${await readLog()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  let seq = 0;
  async function writeInto(dir: string, raw: string | Buffer): Promise<string> {
    seq++;
    const name = `${Date.now()}.M${seq}P${process.pid}.postbag-test`;
    const tmp = join(dir, "tmp", name);
    await writeFile(tmp, raw);
    const target = join(dir, "new", name);
    await rename(tmp, target);
    if (isRoot) await chown(target, mailUid ?? 0, mailGid ?? 0);
    return name;
  }

  async function folderDir(user: string, folder: string): Promise<string> {
    const base = join(home(user), "Maildir");
    if (folder.toUpperCase() === "INBOX") return base;
    // Maildir++ layout: sub-folders are `.Name` directories (separator "/" maps to ".").
    const dir = join(base, `.${folder.replace(/\//g, ".")}`);
    for (const sub of ["cur", "new", "tmp"]) await mkdir(join(dir, sub), { recursive: true });
    if (isRoot) await chownTree(dir, mailUid ?? 0, mailGid ?? 0);
    return dir;
  }

  return {
    host: "127.0.0.1",
    imapPort,
    imapsPort,
    pop3Port,
    pop3sPort,
    cert,
    users,
    async deliver(user, raw, folder = "INBOX") {
      return writeInto(await folderDir(user, folder), raw);
    },
    async createFolder(user, folder) {
      await folderDir(user, folder);
      const subs = join(home(user), "Maildir", "subscriptions");
      await writeFile(subs, `${folder}\n`, { flag: "a" });
      if (isRoot) await chown(subs, mailUid ?? 0, mailGid ?? 0);
    },
    log: readLog,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      await rm(root, { recursive: true, force: true });
    },
  };
}

async function chownTree(path: string, uid: number, gid: number): Promise<void> {
  await chown(path, uid, gid);
  if ((await stat(path)).isDirectory()) {
    for (const entry of await readdir(path)) await chownTree(join(path, entry), uid, gid);
  }
}
