export interface RetrySettings {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly lifetimeMs: number;
}

/**
 * When to try again after the `attempts`-th failed attempt, or null to give up (the recipient
 * becomes a hard bounce). The wait doubles from `baseMs` up to `maxMs`; a full mailbox (4.2.2,
 * 452) waits twice as long since it rarely clears in minutes. The last try is placed at the end
 * of the lifetime so a recipient is never given up early.
 */
export function nextAttemptAt(
  settings: RetrySettings,
  acceptedAt: number,
  now: number,
  attempts: number,
  enhanced: string | null,
  code: number | null,
): number | null {
  const deadline = acceptedAt + settings.lifetimeMs;
  if (now >= deadline) return null;
  const factor = enhanced === "4.2.2" || code === 452 ? 2 : 1;
  const wait = Math.min(settings.maxMs, settings.baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30)) * factor;
  return Math.min(now + Math.min(wait, settings.maxMs * factor), deadline);
}
