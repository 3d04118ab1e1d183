import nodemailer from "nodemailer";
import type { Envelope, MailTransport } from "../delivery/mail-transport.js";
import { classifyReply, enhancedCode, type SendResult } from "../delivery/send-result.js";

export interface SmtpTransportOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS (smtps). Otherwise STARTTLS is used whenever the server offers it. */
  readonly secure: boolean;
  readonly auth?: { readonly user: string; readonly pass: string } | undefined;
  readonly poolSize: number;
  readonly timeoutMs: number;
  readonly rejectUnauthorized: boolean;
  /** Name given in EHLO. */
  readonly name?: string | undefined;
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** Maps a Nodemailer failure to a result: SMTP replies by their code; anything else is temporary. */
export function resultFromError(err: unknown): SendResult {
  const e = (err ?? {}) as SmtpError;
  if (typeof e.responseCode === "number" && e.responseCode >= 400) {
    return classifyReply(e.responseCode, e.response ?? e.message ?? "");
  }
  // No reply code: connection refused or lost, timeout, TLS failure. The message may or may
  // not have arrived; retrying is what every MTA does here.
  const text = `${e.code ?? "ERROR"}: ${e.message ?? String(err)}`.slice(0, 1000);
  return { kind: "soft", code: null, enhanced: enhancedCode(text), text };
}

/** Pooled SMTP delivery through one server (the relay, the sandbox or a tenant's account). */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const transporter = nodemailer.createTransport({
    pool: true,
    host: options.host,
    port: options.port,
    secure: options.secure,
    // Ask for STARTTLS when offered; do not insist on it on plain connections (sandbox, loopback).
    requireTLS: false,
    ignoreTLS: false,
    maxConnections: options.poolSize,
    maxMessages: 1000,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.pass } } : {}),
    ...(options.name ? { name: options.name } : {}),
    tls: { rejectUnauthorized: options.rejectUnauthorized },
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return {
    async send(envelope: Envelope, raw: Buffer): Promise<SendResult> {
      try {
        const info = await transporter.sendMail({ envelope: { from: envelope.from, to: [envelope.to] }, raw });
        const response = String(info.response ?? "250 OK");
        const code = Number.parseInt(response.slice(0, 3), 10);
        // Nodemailer resolves when the one recipient was accepted and DATA got a 2xx.
        if (info.rejected.length > 0) return resultFromError(info.rejectedErrors?.[0] ?? info);
        return classifyReply(Number.isFinite(code) ? code : 250, response);
      } catch (err) {
        return resultFromError(err);
      }
    },
    async close(): Promise<void> {
      transporter.close();
    },
  };
}
