import type { ClaimedDelivery } from "./outbox.js";
import type { SendResult } from "./send-result.js";

export interface Envelope {
  readonly from: string;
  readonly to: string;
}

/** The seam to whatever carries mail out: the operator's relay, the sandbox, a tenant's account. */
export interface MailTransport {
  /**
   * Sends one rendered message to one recipient. Never throws for an SMTP-level failure.
   *
   * `recorded` settles once the send's outcome is durably recorded. Until then the connection
   * that got the 250 begins no other transaction and is not closed politely: should Postbag die
   * before the record, that transaction is still open at the server, and the copy sent again
   * after the lease is one of the transactions open at the crash, never a send already finished.
   */
  send(envelope: Envelope, raw: Buffer, recorded?: Promise<unknown>): Promise<SendResult>;
  /** Closes pooled connections. */
  close(): Promise<void>;
}

/**
 * Sends through each tenant's own mail account (sending mode `own_account`). `owner` is the
 * worker holding the row: mail the tenant's account cannot take now (its sign-in was revoked)
 * is handed back by the transport itself, unsent and uncounted. Null: the tenant does not send
 * through its own account (any more); the relay carries it.
 */
export interface AccountTransports {
  /** `recorded`: as for `MailTransport.send`. */
  send(delivery: ClaimedDelivery, raw: Buffer, owner: string, recorded?: Promise<unknown>): Promise<SendResult | null>;
  close(): Promise<void>;
}
