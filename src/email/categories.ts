/**
 * Message categories. The category decides metering (credits), whether List-Unsubscribe is
 * added, and which mail is never held; those rules live with the features that apply them.
 */
export const categories = [
  "announcement",
  "invitation",
  "password_reset_parent",
  "password_reset_system",
  "alert",
  "scheduled",
  "digest",
  "notice",
] as const;

export type Category = (typeof categories)[number];

/** Categories only Postbag itself sends (credit alerts, reminders, the daily usage email). */
export const internalCategories: ReadonlySet<Category> = new Set<Category>(["notice"]);

export function isCategory(value: string): value is Category {
  return (categories as readonly string[]).includes(value);
}
