// A recipient's status as the school reads it (the statistics report's words), with a colour.
export const statusInfo: Record<string, { label: string; color: string }> = {
  queued: { label: "Pending/queued", color: "gray" },
  sent: { label: "Sent", color: "blue" },
  opened: { label: "Opened", color: "teal" },
  soft_bounce: { label: "Soft bounce", color: "yellow" },
  rejected: { label: "Rejected", color: "orange" },
  hard_bounce: { label: "Hard bounce", color: "red" },
  spam: { label: "Spam", color: "red" },
  email_missing: { label: "Email missing", color: "grape" },
  opted_out: { label: "Opted out", color: "gray" },
  pending_digest: { label: "Pending digest", color: "cyan" },
  held_no_credit: { label: "Held for credit", color: "orange" },
  cancelled: { label: "Cancelled", color: "gray" },
};

export const statusLabel = (status: string): string => statusInfo[status]?.label ?? status;

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
