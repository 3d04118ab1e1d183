import type { SendResult } from "./send-result.js";

export interface Envelope {
  readonly from: string;
  readonly to: string;
}

/** The seam to whatever carries mail out: the operator's relay, the sandbox, a tenant's account. */
export interface MailTransport {
  /** Sends one rendered message to one recipient. Never throws for an SMTP-level failure. */
  send(envelope: Envelope, raw: Buffer): Promise<SendResult>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}
