/**
 * How the reports of real mail servers look, as data: who sends bounces, their subjects and
 * opening lines (in the languages servers write them), what marks a delay, where the copy of the
 * returned message starts, and how auto-replies announce themselves. A new server's format is one
 * entry here (with its source and an example, checked by `report-formats.test.ts`) and one fixture
 * in `test/fixtures/bounces/`. Why a delivery failed is not here: see `email/failure-reasons.ts`.
 *
 * Patterns are plain alternations with bounded gaps and no nested quantifiers; they only ever
 * see a bounded text (a subject, the first lines of a notice).
 */

export interface FormatPattern {
  readonly pattern: RegExp;
  readonly lang: string;
  /** The server, provider or document the wording comes from. */
  readonly source: string;
  /** A text the pattern must match (checked by the tests). */
  readonly example: string;
}

const f = (lang: string, source: string, pattern: RegExp, example: string): FormatPattern => ({
  pattern,
  lang,
  source,
  example,
});

export function matchesAny(list: readonly FormatPattern[], text: string): boolean {
  const limited = text.slice(0, 8000);
  return list.some((entry) => entry.pattern.test(limited));
}

/** Local parts of the mail systems' own addresses: never a failed recipient. */
export const DAEMON_LOCAL_PART =
  /^(mailer-?daemon|mail-?daemon|postmaster|post_master|mail\.delivery\.system|mail-delivery-system|mdaemon|mailerdaemon|bounces?|bounce-notification|mail-?notify|mailadmin|mail-?router|sysadmin|ndr)$/i;

/** Local parts that are a mail system, never a person: not read as a failed recipient. */
export const SYSTEM_LOCAL_PART = /^(mailer-?daemon|mail-?daemon|mailerdaemon|mdaemon|mail\.delivery\.system)$/i;

/** Display names of the mail systems' senders ("Mail Delivery Subsystem", "InterScan MSS", …). */
export const DAEMON_NAME =
  /(mail delivery (system|subsystem|service)|mail deliver system|mailer-daemon|postmaster|delivery (status|notification|subsystem)|ndr administrator|interscan|e-mail interconnect|mail administrator|mail system)/i;

export const BOUNCE_SUBJECT: readonly FormatPattern[] = [
  f("en", "Postfix", /undelivered mail returned to sender/i, "Undelivered Mail Returned to Sender"),
  f("en", "Exim", /mail delivery failed/i, "Mail delivery failed: returning message to sender"),
  f("en", "Sendmail, V5 Sendmail, X1", /returned mail/i, "Returned mail: see transcript for details"),
  f("en", "qmail, Courier", /failure notice|delivery failure|failed mail|mail failed/i, "failure notice"),
  f(
    "en",
    "Exchange, Outlook, Office 365",
    /^(undeliverable|undelivered|non ?delivery|nicht zustellbar)/i,
    "Undeliverable: Field trip",
  ),
  f(
    "en",
    "RFC 3464 report subjects (Gmail, Microsoft, X3)",
    /delivery status notification|delivery notification/i,
    "Delivery Status Notification (Failure)",
  ),
  f(
    "en",
    "IMail, MailFoundry, MXLogic, Trend Micro, MessagingServer",
    /undeliverable (mail|message)|message delivery has failed|could not be delivered|delivery has failed|delivery failed|mail could not be delivered|not delivered/i,
    "Mail could not be delivered",
  ),
  f(
    "en",
    "Exim and Sendmail delay warnings",
    /warning: (message .{0,200} delayed|could not send message)|delayed mail|delivery delayed/i,
    "Warning: message 1abc-00 delayed 24 hours",
  ),
  f(
    "en",
    "ActiveHunter, Mailman, list managers",
    /^failure notice|error sending (your )?(mail|message)|there was an error sending|mail system error|returning message to sender|message not delivered|delivery problem/i,
    "There was an error sending your mail",
  ),
  f(
    "de",
    "GMX, web.de, Exchange (German)",
    /(unzustellbar|nicht zustellbar|zustellung fehlgeschlagen|unzustellbare nachricht)/i,
    "Unzustellbar: Elternabend",
  ),
  f(
    "fr",
    "Orange, Exchange (French)",
    /(non remis|impossible de remettre|[ée]chec de (la )?remise|message non d[ée]livr[ée])/i,
    "Non remis : Sortie scolaire",
  ),
  f(
    "es",
    "Exchange (Spanish)",
    /(no se puede entregar|no entregado|error de entrega)/i,
    "No se puede entregar: Excursión",
  ),
  f("it", "Exchange (Italian)", /(non recapitabile|mancato recapito)/i, "Non recapitabile: Gita"),
  f("nl", "Exchange (Dutch)", /(onbestelbaar|kan niet worden bezorgd)/i, "Onbestelbaar: Schoolreis"),
  f("pt", "Exchange (Portuguese)", /(n[ãa]o (foi )?entregue|falha na entrega)/i, "Não entregue: Passeio"),
  f(
    "ja",
    "au (KDDI), docomo, Japanese MTAs",
    /(メールエラー|配信エラー|配送エラー|送信エラー|未達|返送)/,
    "メールエラー通知",
  ),
  f("ru", "Mail.ru, Yandex", /(не доставлено|недоставленное|ошибка доставки)/i, "Недоставленное сообщение"),
];

export const BOUNCE_BODY: readonly FormatPattern[] = [
  f(
    "en",
    "Exim",
    /this message was created automatically by mail delivery software/i,
    "This message was created automatically by mail delivery software.",
  ),
  f(
    "en",
    "Postfix",
    /i'm sorry to have to inform you that your message could not|this is the mail system at host/i,
    "This is the mail system at host mail.example.org.",
  ),
  f(
    "en",
    "qmail",
    /i'm afraid i wasn't able to deliver your message|this is the qmail-send program/i,
    "Hi. This is the qmail-send program at mail.example.org.",
  ),
  f(
    "en",
    "Sendmail",
    /the original message was received at|the following addresses had permanent fatal errors|transcript of session follows/i,
    "----- The following addresses had permanent fatal errors -----",
  ),
  f(
    "en",
    "Gmail, Google Workspace",
    /delivery to the following recipients? (failed|has been delayed)|your message wasn't delivered|message not delivered|address not found/i,
    "Delivery to the following recipient failed permanently:",
  ),
  f(
    "en",
    "Exchange 2003/2007, Office 365",
    /did not reach (some or all of )?the (following|intended) recipient|could not be reached|delivery has failed to these recipients|your message couldn't be delivered|your message to .{1,200} couldn't be delivered/i,
    "Your message did not reach some or all of the intended recipients.",
  ),
  f(
    "en",
    "DragonFly Mail Agent",
    /there was an error delivering your mail to/i,
    "There was an error delivering your mail to <kim@example.org>.",
  ),
  f(
    "en",
    "SendGrid, X3, X4, X6 and other appliances",
    /(could not be delivered|was not able to be delivered|delivery status notification|we had trouble delivering your message|unable to deliver (your )?message|message could not be delivered|couldn't be delivered|undeliverable|delivery (has )?failed|failed permanently|permanent error|permanent failure|was undeliverable|could not deliver|undelivered)/i,
    "Unable to deliver message to <kim@example.org>.",
  ),
  f("en", "IMail, MDaemon", /^(unknown user|user unknown|original message follows)/im, "Unknown user: kim@example.org"),
  f(
    "en",
    "Verizon, mobile gateways",
    /message could not be delivered to mobile|no valid recipients/i,
    "Message could not be delivered to mobile.",
  ),
  f(
    "en",
    "Mailing list managers (fml, Mailman, Google Groups)",
    /(you are not (a )?member|only members (can|may) post|not allowed to post|the group you tried to contact|group .{1,100} may not exist)/i,
    "You are not member of this mailing list.",
  ),
  f(
    "de",
    "GMX, T-Online",
    /(konnte nicht zugestellt werden|nicht zugestellt|zustellung .{0,40}fehlgeschlagen)/i,
    "Ihre Nachricht konnte nicht zugestellt werden.",
  ),
  f(
    "fr",
    "Orange, Free",
    /(n'a pas pu [êe]tre (remis|d[ée]livr)|impossible de (remettre|d[ée]livrer))/i,
    "Votre message n'a pas pu être remis.",
  ),
  f(
    "es",
    "Spanish-language MTAs",
    /(no (se )?(pudo|ha podido) (ser )?entregar|no pudo ser entregado)/i,
    "Su mensaje no pudo ser entregado.",
  ),
  f(
    "ja",
    "au (KDDI), docomo, SoftBank",
    /(送信できませんでした|配信できませんでした|届きませんでした|宛先不明)/,
    "送信先のメールボックスが一杯のため、送信できませんでした。",
  ),
  f(
    "ru",
    "Mail.ru, Yandex",
    /(не может быть доставлено|не удалось доставить|не было доставлено)/i,
    "Сообщение не может быть доставлено.",
  ),
];

/** A delay warning: the server will keep trying (kind `delay`, never a failure). */
export const DELAY_NOTICE: readonly FormatPattern[] = [
  f(
    "en",
    "Sendmail, Gmail, Zoho",
    /this is a warning message only|warning message only/i,
    "THIS IS A WARNING MESSAGE ONLY",
  ),
  f(
    "en",
    "Postfix delay warning",
    /has not yet been delivered|delayed mail \(still being retried\)|delivery status notification \(delay\)/i,
    "Delayed Mail (still being retried)",
  ),
  f(
    "en",
    "Exim, OpenSMTPD, Sendmail",
    /(warning: message .{0,200} delayed|will (continue|keep) (trying|to try)|will be retried|will retry|still (being )?retr|temporary failure report|message (is )?still in (the )?queue|still undelivered after)/i,
    "Warning: message 1abc-00 delayed 24 hours",
  ),
  f(
    "en",
    "Exchange delay notification",
    /delivery (has been )?delayed|delay(ed)? (delivery|notification)/i,
    "Delivery has been delayed to these recipients",
  ),
  f("de", "German-language MTAs", /(zustellung verz[öo]gert|verz[öo]gerte zustellung)/i, "Zustellung verzögert"),
];

/** Where the copy of the returned message starts: addresses below it are not recipients. */
export const RETURNED_COPY = new RegExp(
  [
    "^[\\s\\-=*_>|]*(",
    "below this line is a copy of the message|this is a copy of the message|copy of the original message",
    "|below is a copy of|original message follows|original message:?\\s*$|original message (headers|header|text)",
    "|unsent message follows|undelivered message|returned message|message headers follow|headers? of the original",
    "|the header of the original message|the body of the message|message text follows|rfc ?822 headers",
    "|content of (the )?original|original mail|returned mail follows|a copy of the message|original message ---",
    "|original message -",
    ")",
  ].join(""),
  "i",
);

export const AUTO_REPLY_SUBJECT: readonly FormatPattern[] = [
  f(
    "en",
    "Outlook, Exchange, Gmail vacation",
    /^(out of (the )?office|automatic reply|auto(matic)?[ -]?reply|auto[ -]?respons|autorespons|auto:|away from (the )?office|on vacation|vacation reply|i am (away|out))/i,
    "Automatic reply: Field trip",
  ),
  f("de", "Outlook (German)", /^(abwesenheitsnotiz|automatische antwort|abwesend)/i, "Abwesenheitsnotiz: Elternabend"),
  f("fr", "Outlook (French)", /^(r[ée]ponse automatique|absence du bureau|absent)/i, "Réponse automatique : Sortie"),
  f("nl", "Outlook (Dutch)", /^(automatisch antwoord|afwezig)/i, "Automatisch antwoord: Schoolreis"),
  f("es", "Outlook (Spanish)", /^(respuesta autom[aá]tica|fuera de la oficina)/i, "Respuesta automática: Excursión"),
  f("it", "Outlook (Italian)", /^(risposta automatica|fuori ufficio)/i, "Risposta automatica: Gita"),
  f("pt", "Outlook (Portuguese)", /^(resposta autom[aá]tica|fora do escrit[óo]rio)/i, "Resposta automática: Passeio"),
  f("sv", "Outlook (Swedish, Norwegian, Danish)", /^(autosvar|fr[åa]nvarande|automatisk svar)/i, "Autosvar: Utflykt"),
  f("fi", "Outlook (Finnish)", /^automaattinen vastaus/i, "Automaattinen vastaus: Retki"),
  f(
    "pl",
    "Outlook (Polish)",
    /^(odpowied[zź] automatyczna|automatyczna odpowied[zź])/i,
    "Odpowiedź automatyczna: Wycieczka",
  ),
  f("ja", "Japanese mail clients", /^(自動応答|自動返信|不在)/, "自動応答: 遠足"),
];

export const AUTO_REPLY_BODY: readonly FormatPattern[] = [
  f(
    "en",
    "Vacation messages",
    /^\s*(i am|i'm) (currently )?(out of (the )?office|away|on (annual )?leave|on vacation)/im,
    "I am out of the office until Monday.",
  ),
  f(
    "de",
    "Vacation messages (German)",
    /^\s*ich bin (bis|vom|derzeit|zur zeit) .{0,60}(abwesend|nicht im b[üu]ro|im urlaub)/im,
    "Ich bin bis Montag nicht im Büro.",
  ),
  f("fr", "Vacation messages (French)", /^\s*je suis (actuellement )?absente?/im, "Je suis absent jusqu'à lundi."),
];
