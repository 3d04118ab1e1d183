/** Message categories in the order the Overview shows them, with their names and chart colours. */
export const categoryInfo = [
  { key: "announcement", label: "Announcements", color: "indigo.6" },
  { key: "invitation", label: "Invitations", color: "teal.6" },
  { key: "password_reset_parent", label: "Parent password resets", color: "grape.6" },
  { key: "password_reset_system", label: "Staff password resets", color: "pink.6" },
  { key: "alert", label: "Alerts", color: "red.6" },
  { key: "scheduled", label: "Scheduled", color: "orange.6" },
  { key: "digest", label: "Digests", color: "cyan.6" },
  { key: "notice", label: "Postbag notices", color: "gray.6" },
] as const;

export type CategoryKey = (typeof categoryInfo)[number]["key"];
