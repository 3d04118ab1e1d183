import { PasswordInput } from "@mantine/core";

/** A new password, with the rule people need before they type: 12 characters, not a common one. */
export function NewPassword({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  return (
    <PasswordInput
      label="New password"
      description="At least 12 characters. A few unrelated words make a good one; common passwords are refused."
      autoComplete="new-password"
      required
      minLength={12}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
    />
  );
}
