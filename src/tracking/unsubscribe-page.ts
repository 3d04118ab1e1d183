import { type DigestChoice, optOutCategories } from "../audience/preferences.js";
import { escapeHtml } from "../email/html.js";
import type { DigestOffer } from "./digest-offer.js";
import { categoryLabel, type PageChoice, type UnsubscribeProblem, type UnsubscribeTarget } from "./unsubscribe.js";

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
fieldset{border:0;margin:1rem 0;padding:0}
legend{font-weight:600;margin-bottom:.5rem}
label.choice{display:flex;gap:.75rem;align-items:flex-start;padding:.75rem;margin:.5rem 0;border:1px solid var(--muted);border-radius:.5rem;cursor:pointer}
label.choice input{margin-top:.35rem;width:1.1rem;height:1.1rem;flex:none}
label.choice span{display:block}
a{color:var(--accent)}
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

const WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

function weekdayName(weekday: number | null): string {
  return WEEKDAYS[(weekday ?? 1) - 1] ?? "Monday";
}

/** "a daily digest at 08:00", "a weekly digest every Friday at 08:00". */
function digestWords(digest: { readonly mode: string; readonly time: string | null; readonly weekday: number | null }) {
  const time = digest.time ?? "08:00";
  return digest.mode === "weekly"
    ? `a weekly digest every ${weekdayName(digest.weekday)} at ${time}`
    : `a daily digest at ${time}`;
}

type ChoiceRow = readonly [value: PageChoice, title: string, hint: string];

function choiceRow([value, title, hint]: ChoiceRow, checked: boolean): string {
  return (
    `<label class="choice"><input type="radio" name="choice" value="${value}"${checked ? " checked" : ""}>` +
    `<span><b>${escapeHtml(title)}</b><span class="muted">${escapeHtml(hint)}</span></span></label>`
  );
}

/**
 * The page a GET shows: where the contact stands and a form of choices (unsubscribe from this kind
 * of mail, from all optional mail, a daily or weekly digest instead when the tenant offers it, or
 * each email again). It changes nothing by itself: link scanners fetch every URL in an email.
 * A plain form, so it works without JavaScript.
 */
export function renderPreferencePage(target: UnsubscribeTarget, offer: DigestOffer): string {
  const kind = categoryLabel(target.category);
  const tenant = escapeHtml(target.tenantName);
  const current = target.digest;
  const state = target.optedOut
    ? `You are already unsubscribed from <b>${escapeHtml(kind)}</b> from <b>${tenant}</b>.`
    : current.mode === "none"
      ? `You get <b>${escapeHtml(kind)}</b> from <b>${tenant}</b> by email as they are sent.`
      : `You get <b>${escapeHtml(kind)}</b> from <b>${tenant}</b> in ${escapeHtml(digestWords(current))}.`;
  const time = current.time ?? offer.defaultTime;
  const rows: ChoiceRow[] = [];
  if (!target.optedOut) rows.push(["unsubscribe", `Unsubscribe from ${kind}`, `No more ${kind} by email.`]);
  if (!optOutCategories.every((c) => target.optOuts.includes(c))) {
    rows.push([
      "unsubscribe_all",
      "Unsubscribe from all optional email",
      "No announcements, scheduled messages or digests.",
    ]);
  }
  if (offer.offer) {
    if (current.mode !== "daily" || target.optedOut) {
      rows.push([
        "daily",
        "A daily digest instead",
        `One email a day at ${time}, with everything sent since the last.`,
      ]);
    }
    if (current.mode !== "weekly" || target.optedOut) {
      const weekday = weekdayName(current.weekday ?? offer.defaultWeekday);
      rows.push([
        "weekly",
        "A weekly digest instead",
        `One email every ${weekday} at ${time}, with everything sent that week.`,
      ]);
    }
  }
  if (target.optedOut || current.mode !== "none") {
    rows.push(["each", "Each email as it is sent", `Get ${kind} again, one email each.`]);
  }
  return layout(
    `Your email from ${target.tenantName}`,
    [
      `<h1>Your email from ${tenant}</h1>`,
      `<div class="card"><p>${state}</p></div>`,
      // No action attribute: the form posts back to this very URL, token included.
      `<form method="post"><input type="hidden" name="confirm" value="yes">`,
      `<fieldset><legend>What would you like?</legend>`,
      // The first choice is the one the link was followed for: unsubscribe, unless already done.
      ...rows.map((row, i) => choiceRow(row, i === 0)),
      `</fieldset><button type="submit">Save my choice</button></form>`,
      `<p class="muted">Essential messages (for example about safety or closures) may still reach you.</p>`,
    ].join("\n"),
  );
}

/** After the POST: what the choice did. */
export function renderChoiceDone(
  target: UnsubscribeTarget,
  choice: PageChoice,
  digest: DigestChoice,
  justNow: boolean,
) {
  const kind = escapeHtml(categoryLabel(target.category));
  const tenant = escapeHtml(target.tenantName);
  const [title, text] =
    choice === "unsubscribe"
      ? [
          justNow ? "You are unsubscribed" : "You are already unsubscribed",
          `You will no longer get <b>${kind}</b> by email from <b>${tenant}</b>.`,
        ]
      : choice === "unsubscribe_all"
        ? ["You are unsubscribed", `You will no longer get optional email from <b>${tenant}</b>.`]
        : choice === "each"
          ? ["Your choice is saved", `You will get <b>${kind}</b> from <b>${tenant}</b> by email as they are sent.`]
          : [
              "Your digest is set",
              `Instead of each email, you will get <b>${escapeHtml(digestWords(digest))}</b> from <b>${tenant}</b>, ` +
                "with everything sent since the last one.",
            ];
  return layout(
    title,
    [
      `<h1>${escapeHtml(title)}</h1>`,
      `<div class="card"><p>${text}</p></div>`,
      `<p class="muted">Essential messages may still reach you. <a href="">Change your choice</a></p>`,
    ].join("\n"),
  );
}

/** What a refused link or request shows; nothing about any tenant. */
export function renderUnsubscribeProblem(
  problem: UnsubscribeProblem | "bad_request" | "too_large" | "unsupported" | "failed" | "no_digest",
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
    no_digest: [
      "A digest is not offered",
      "The sender does not offer digests any more. Open the link again to choose.",
    ],
    unsupported: ["Something went wrong", "The request was not a form submission."],
    failed: ["Something went wrong", "Please try again in a few minutes."],
  }[problem] as [string, string];
  return layout(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(hint)}</p>`);
}
