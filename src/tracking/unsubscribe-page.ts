import { escapeHtml } from "../email/html.js";
import { categoryLabel, type UnsubscribeProblem, type UnsubscribeTarget } from "./unsubscribe.js";

/**
 * The unsubscribe pages: small, readable on a phone, nothing loaded from elsewhere (the
 * route's Content-Security-Policy allows only inline style and a form posting back to itself).
 * Every value from the database is escaped.
 */
const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--bg:#fff;--muted:#5b6470;--card:#f4f6f8;--accent:#0b5cad;--on-accent:#fff}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--bg:#15181c;--muted:#a0a8b3;--card:#1f242a;--accent:#7db4ef;--on-accent:#0b1a2a}}
*{box-sizing:border-box}
body{margin:0;font:17px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:32rem;margin:0 auto;padding:1.5rem 1rem}
h1{font-size:1.35rem;margin:0 0 .75rem;overflow-wrap:anywhere}
p{margin:.5rem 0;overflow-wrap:anywhere}
.card{background:var(--card);border-radius:.6rem;padding:1rem;margin:1rem 0}
button{font:inherit;font-weight:600;width:100%;padding:.8rem 1rem;border:0;border-radius:.5rem;background:var(--accent);color:var(--on-accent);cursor:pointer}
.muted{color:var(--muted);font-size:.9rem}
`;

function layout(title: string, body: string): string {
  return [
    "<!doctype html>",
    '<html lang="en-GB"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="robots" content="noindex, nofollow">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    `</head><body><main>${body}</main></body></html>`,
  ].join("\n");
}

/** The page a GET shows: what the button would do. It changes nothing by itself. */
export function renderConfirmPage(target: UnsubscribeTarget): string {
  const kind = categoryLabel(target.category);
  const tenant = escapeHtml(target.tenantName);
  if (target.optedOut) return renderDonePage(target, false);
  return layout(
    `Unsubscribe from ${kind}`,
    [
      `<h1>Unsubscribe from ${escapeHtml(kind)}?</h1>`,
      `<div class="card"><p>You will no longer get <b>${escapeHtml(kind)}</b> by email from <b>${tenant}</b>.</p>`,
      `<p class="muted">Essential messages (for example about safety or closures) may still reach you.</p></div>`,
      // No action attribute: the form posts back to this very URL, token included.
      `<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">Unsubscribe</button></form>`,
    ].join("\n"),
  );
}

/** After the POST (or when already unsubscribed). */
export function renderDonePage(target: UnsubscribeTarget, justNow: boolean): string {
  const kind = categoryLabel(target.category);
  return layout(
    "Unsubscribed",
    [
      `<h1>${justNow ? "You are unsubscribed" : "You are already unsubscribed"}</h1>`,
      `<div class="card"><p>You will no longer get <b>${escapeHtml(kind)}</b> by email from <b>${escapeHtml(target.tenantName)}</b>.</p></div>`,
      `<p class="muted">Changed your mind? Ask ${escapeHtml(target.tenantName)} to send you ${escapeHtml(kind)} again.</p>`,
    ].join("\n"),
  );
}

/** What a refused link or request shows; nothing about any tenant. */
export function renderUnsubscribeProblem(
  problem: UnsubscribeProblem | "bad_request" | "too_large" | "unsupported" | "failed",
): string {
  const [title, hint] = {
    invalid: ["This link is not valid", "Open the unsubscribe link from the email itself; it may have been cut short."],
    expired: ["This link has expired", "Use the unsubscribe link in a more recent email, or contact the sender."],
    not_found: ["This link is not valid", "The email it belongs to is no longer known here. Contact the sender."],
    no_contact: [
      "Nothing to unsubscribe from",
      "This email was sent to your address directly, not to a mailing list. Contact the sender if you do not want it.",
    ],
    not_optional: [
      "This email cannot be unsubscribed from",
      "It was sent because of something you or your account asked for (an invitation, a password reset, an alert).",
    ],
    bad_request: [
      "Something went wrong",
      "The request was not understood. Open the link from the email and press the button.",
    ],
    too_large: ["Something went wrong", "The request was too large."],
    unsupported: ["Something went wrong", "The request was not a form submission."],
    failed: ["Something went wrong", "Please try again in a few minutes."],
  }[problem] as [string, string];
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(hint)}</p>`);
}
