// A recipient's statuses as a school office reads them: a name, a colour, and in plain words what
// it means and what to do (the statistics report, the Messages log). The order is the report's.
export const statusInfo = [
  {
    key: "queued",
    label: "Pending / queued",
    color: "gray.6",
    meaning:
      "The first stage after you send: the email is queued with the mail service. It usually leaves within a minute, " +
      "but in heavy traffic (not only ours: globally) it can take a few minutes.",
    todo: "Nothing yet. If the status has not changed after 30 minutes, raise a ticket with support and we will look into it.",
  },
  {
    key: "sent",
    label: "Sent",
    color: "blue.6",
    meaning:
      "It is on its way: the recipient's mail server took the email, and it should be delivered to their mailbox.",
    todo: "Nothing.",
  },
  {
    key: "opened",
    label: "Opened",
    color: "teal.6",
    meaning: "Final confirmation: the recipient received the email and opened it.",
    todo: "Nothing.",
  },
  {
    key: "soft_bounce",
    label: "Soft bounce",
    color: "yellow.6",
    meaning:
      "The email is not reaching its destination for now, and is in a 'try again' cycle: Postbag tries again several " +
      "times, depending on the error. It may be a short outage at the recipient's server, or their mail settings do not " +
      "trust the sender address yet.",
    todo:
      "Ask new parents to add the school's sender address to their trusted senders (put it in the admission forms): a " +
      "first email may otherwise go to spam and cause more soft bounces. You can resend once the address works.",
  },
  {
    key: "rejected",
    label: "Rejected",
    color: "orange.7",
    meaning:
      "Now we know there is a problem: the recipient's server refused the email, or the address is suppressed after " +
      "an earlier hard bounce or spam report. The server's reply below says why.",
    todo:
      "If it was refused as untrusted or as spam, ask the parent to add the sender address to their trusted senders, " +
      "then resend; otherwise raise a ticket with support, who can check the logs. An administrator can reset a " +
      "suppressed address.",
  },
  {
    key: "hard_bounce",
    label: "Hard bounce",
    color: "red.7",
    meaning:
      "The address does not work: the recipient's server said the mailbox does not exist or is disabled. Postbag " +
      "stops mailing it (the address is suppressed).",
    todo:
      "If it is an external address (a guardian's own email), ask them for another address, correct it here and " +
      "resend. If the address is right after all, an administrator can reset it.",
  },
  {
    key: "spam",
    label: "Spam",
    color: "grape.7",
    meaning: "The recipient, or their mail provider, reported the email as spam. Postbag stops mailing the address.",
    todo:
      "Ask the parent to check for add-ons or rules that move mail to spam and to trust the sender address; then an " +
      "administrator can reset the address.",
  },
  {
    key: "email_missing",
    label: "Email missing",
    color: "pink.7",
    meaning: "The contact has no usable email address in their profile, so nothing could be sent.",
    todo: "It may be a typo: check the address, correct it and resend.",
  },
  {
    key: "opted_out",
    label: "Opted out",
    color: "dark.4",
    meaning:
      "The contact unsubscribed from this kind of mail, as everyone has the right to. Their choices are on their profile.",
    todo: "For mail everyone must get, mark the announcement Essential when you write it: it overrides opt-outs.",
  },
  {
    key: "pending_digest",
    label: "Pending digest",
    color: "cyan.6",
    meaning:
      "The contact chose a daily or weekly digest: this email waits and goes with their next digest, at the time " +
      "they chose.",
    todo: "Nothing: it goes with the digest.",
  },
  {
    key: "held_no_credit",
    label: "Held for credit",
    color: "orange.4",
    meaning: "The school has no credit left this month and its plan holds mail over the limit.",
    todo: "Buy credit (Overview): held mail goes out as soon as credit is available.",
  },
  {
    key: "cancelled",
    label: "Cancelled",
    color: "gray.4",
    meaning: "Stopped before it was sent.",
    todo: "Nothing.",
  },
] as const;

export type StatusKey = (typeof statusInfo)[number]["key"];

/** The statuses a recipient can be fixed and resent from. */
export const failedStatuses: readonly string[] = ["email_missing", "hard_bounce", "soft_bounce", "rejected"];

export function statusLabel(status: string): string {
  return statusInfo.find((s) => s.key === status)?.label ?? status;
}

export function statusColor(status: string): string {
  return statusInfo.find((s) => s.key === status)?.color ?? "gray.6";
}

/** "user_unknown" -> "User unknown". */
export function reasonLabel(reason: string | null | undefined): string {
  if (!reason) return "";
  const text = reason.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Kinds of mail a contact may opt out of, as the console names them. */
export const optOutLabels: Record<string, string> = {
  announcement: "Announcements",
  scheduled: "Scheduled messages",
  digest: "Digest emails",
};

export const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/** "Each email as it is sent", "Daily digest at 07:30", "Weekly digest, Fridays at 08:00". */
export function digestLabel(d: { mode: string; time: string | null; weekday: number | null }): string {
  if (d.mode === "daily") return `Daily digest at ${d.time ?? "08:00"}`;
  if (d.mode === "weekly")
    return `Weekly digest, ${WEEKDAYS[(d.weekday ?? 1) - 1] ?? "Monday"}s at ${d.time ?? "08:00"}`;
  return "Each email as it is sent";
}
