import type { MailTransport } from "../delivery/mail-transport.js";
import { SmtpPool, type SmtpPoolOptions } from "./smtp-pool.js";

export { resultFromError } from "./smtp-pool.js";
export type SmtpTransportOptions = SmtpPoolOptions;

/** Pooled SMTP delivery through one server (the relay, the sandbox or a tenant's account). */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const pool = new SmtpPool(options);
  return { send: (envelope, raw) => pool.send(envelope, raw), close: () => pool.close() };
}
