/**
 * Why a delivery failed, from one closed list, and the tables that find it in an SMTP reply or a
 * bounce's text: enhanced status codes (RFC 3463 and the registry's later additions) and known
 * phrases, in English and in the languages real servers write. Everything here is data: a new
 * server's wording is one entry in `FAILURE_PHRASES` (with where it comes from and an example,
 * which `failure-reasons.test.ts` checks), never a new branch of code.
 *
 * Every pattern is a plain alternation or a bounded gap (`.{0,40}`), with no nested quantifier,
 * and is only ever run on at most `MAX_TEXT` characters: matching costs linear time.
 */

export const FAILURE_REASONS = [
  "user_unknown",
  "mailbox_disabled",
  "mailbox_full",
  "host_unknown",
  "sender_rejected",
  "relaying_denied",
  "auth_failure",
  "policy",
  "blocked",
  "spam_detected",
  "virus_detected",
  "content_rejected",
  "message_too_big",
  "rate_limited",
  "expired",
  "network_error",
  "system_error",
  "other",
] as const;

export type FailureReason = (typeof FAILURE_REASONS)[number];

export function isFailureReason(value: unknown): value is FailureReason {
  return typeof value === "string" && (FAILURE_REASONS as readonly string[]).includes(value);
}

/** One line per reason, for the documentation and the OpenAPI description. */
export const FAILURE_REASON_DESCRIPTIONS: Record<FailureReason, string> = {
  user_unknown: "the address does not exist (or has moved without a forwarding address)",
  mailbox_disabled: "the mailbox exists but is disabled, suspended or closed",
  mailbox_full: "the mailbox is full or over its quota",
  host_unknown: "the recipient's domain does not exist or accepts no mail",
  sender_rejected: "the receiving server refused our sender address or domain",
  relaying_denied: "the server refused to relay the message",
  auth_failure: "our mail failed SPF, DKIM or DMARC checks, or authentication was required",
  policy: "refused by the receiving site's policy",
  blocked: "our sending server or IP address is blocked or listed",
  spam_detected: "the message was judged to be spam",
  virus_detected: "the message was judged to carry a virus or malware",
  content_rejected: "the content, headers or an attachment were refused",
  message_too_big: "the message is larger than the receiving server allows",
  rate_limited: "too many messages or connections: the server asked us to slow down",
  expired: "the remote server gave up after retrying a temporary failure",
  network_error: "the receiving server could not be reached (connection or DNS failure)",
  system_error: "an error of the receiving system",
  other: "a failure that names no known reason",
};

/** Reasons that are the sender's (our) problem: they never suppress the recipient. */
export const SENDER_CAUSED: ReadonlySet<FailureReason> = new Set([
  "sender_rejected",
  "relaying_denied",
  "auth_failure",
  "blocked",
]);

/** Reasons about the address itself: permanent (5xx) means a hard bounce. */
const ADDRESS_REASONS: ReadonlySet<FailureReason> = new Set(["user_unknown", "mailbox_disabled", "host_unknown"]);
/** Reasons that are temporary whatever code comes with them. */
const ALWAYS_SOFT: ReadonlySet<FailureReason> = new Set(["mailbox_full", "expired", "rate_limited"]);
/** Reasons that are temporary when no code says otherwise. */
const SOFT_WITHOUT_CODE: ReadonlySet<FailureReason> = new Set(["network_error", "system_error"]);

export type FailureStatus = "hard_bounce" | "soft_bounce" | "rejected";

/**
 * The project's status rule (docs/own-account.md): a 4xx/4.x.x failure is soft; mailbox full,
 * expired and rate limited are soft whatever the code; a permanent failure of the address
 * (unknown user, disabled mailbox, unknown host) is a hard bounce; every other permanent failure,
 * sender-caused ones included, is `rejected` and never suppresses the recipient.
 * `codeClass` is 4 or 5 from the most precise code the report gives, undefined without a code.
 */
export function statusForReason(reason: FailureReason, codeClass: 4 | 5 | undefined): FailureStatus {
  if (ALWAYS_SOFT.has(reason) || codeClass === 4) return "soft_bounce";
  if (codeClass === undefined && SOFT_WITHOUT_CODE.has(reason)) return "soft_bounce";
  if (ADDRESS_REASONS.has(reason)) return "hard_bounce";
  return "rejected";
}

// --- Enhanced status codes --------------------------------------------------------------------

/**
 * Enhanced status codes (subject.detail, class left out) and what they say. Generic codes
 * (X.0.0, X.1.0, X.2.0, X.5.x, X.7.1) are left to the phrases: `Status: 5.0.0` with "User unknown"
 * in the text is an unknown user. Sources: RFC 3463, RFC 3886, RFC 4954, RFC 5248 (the IANA
 * registry: X.7.13 … X.7.30), RFC 7372, RFC 7505, and Microsoft's published Exchange Online NDR
 * codes (X.4.316, X.7.5xx, X.7.6xx, X.7.7xx).
 */
const CODE_REASONS: ReadonlyArray<readonly [RegExp, FailureReason]> = [
  [/^1\.1$/, "user_unknown"],
  [/^1\.2$/, "host_unknown"],
  [/^1\.[3456]$/, "user_unknown"],
  [/^1\.[78]$/, "sender_rejected"],
  [/^1\.10$/, "user_unknown"],
  [/^2\.1$/, "mailbox_disabled"],
  [/^2\.2$/, "mailbox_full"],
  [/^2\.3$/, "message_too_big"],
  [/^2\.4$/, "system_error"],
  [/^3\.1$/, "mailbox_full"],
  [/^3\.[025]$/, "system_error"],
  [/^3\.3$/, "content_rejected"],
  [/^3\.4$/, "message_too_big"],
  [/^4\.[0123]$/, "network_error"],
  [/^4\.4$/, "host_unknown"],
  [/^4\.5$/, "rate_limited"],
  [/^4\.6$/, "network_error"],
  [/^4\.(7|300|316)$/, "expired"],
  [/^6\.\d{1,3}$/, "content_rejected"],
  [/^7\.0$/, "policy"],
  [/^7\.[2-3]$/, "policy"],
  [/^7\.([4-9]|1[0-2]|1[5-9]|2[0-4]|26|30)$/, "auth_failure"],
  [/^7\.13$/, "mailbox_disabled"],
  [/^7\.25$/, "blocked"],
  [/^7\.27$/, "sender_rejected"],
  [/^7\.28$/, "rate_limited"],
  [/^7\.(5\d\d|6\d\d|7\d\d)$/, "blocked"],
];

/** The reason a code says on its own; undefined for generic codes (X.0.0, X.7.1, …). */
export function reasonForCode(code: string): FailureReason | undefined {
  const subjectDetail = code.slice(code.indexOf(".") + 1);
  return CODE_REASONS.find(([pattern]) => pattern.test(subjectDetail))?.[1];
}

// --- Phrases ----------------------------------------------------------------------------------

export interface FailurePhrase {
  readonly reason: FailureReason;
  readonly pattern: RegExp;
  /** ISO 639-1 language of the phrase. */
  readonly lang: string;
  /** The server or document the wording comes from. */
  readonly source: string;
  /** A line the pattern must match (checked by the tests). */
  readonly example: string;
}

const p = (reason: FailureReason, lang: string, source: string, pattern: RegExp, example: string): FailurePhrase => ({
  reason,
  pattern,
  lang,
  source,
  example,
});

/**
 * Known phrases, most specific first: the first entry that matches decides. Sender problems come
 * before address problems ("Domain of sender address … does not exist" is not an unknown user),
 * expiry before the network error that caused it, a disabled account before a generic "blocked".
 */
export const FAILURE_PHRASES: readonly FailurePhrase[] = [
  // Our own domain failing authentication: never the recipient's fault.
  p(
    "auth_failure",
    "en",
    "SPF (RFC 7208) rejections: Postfix policyd-spf, GoDaddy, Exim",
    /\bspf\b|sender policy framework/i,
    "550 5.7.23 Message rejected due to SPF policy",
  ),
  p(
    "auth_failure",
    "en",
    "DKIM/DMARC rejections: Gmail 5.7.26, Yahoo, Outlook",
    /\b(dmarc|dkim)\b/i,
    "550 5.7.1 Unauthenticated email is not accepted due to domain's DMARC policy",
  ),
  p(
    "auth_failure",
    "en",
    "Gmail 5.7.26, Microsoft 5.7.515",
    /(does not have authentication information|fails? to pass authentication checks|unauthenticated (email|mail|sender)|authentication (checks? failed|failure))/i,
    "This message does not have authentication information or fails to pass authentication checks",
  ),
  p(
    "auth_failure",
    "en",
    "SMTP AUTH required (RFC 4954 530 5.7.0)",
    /(authentication required|must (be )?authenticate|not authenticated|requires? authentication|smtp auth)/i,
    "530 5.7.0 Authentication required",
  ),
  // The sender address or domain was refused.
  p(
    "sender_rejected",
    "en",
    "Sendmail, Postfix reject_unknown_sender_domain (5.1.8)",
    /(domain of sender address|sender domain (must (exist|resolve)|does not exist|not found|is invalid|unknown))/i,
    "553 5.1.8 Domain of sender address nobody@example.net does not exist",
  ),
  p(
    "sender_rejected",
    "en",
    "Postfix smtpd 'Sender address rejected', Cox 'sender rejected'",
    /(sender (address )?(is )?(rejected|refused|denied|blocked|invalid|unknown|not allowed|not permitted))/i,
    "501 5.1.8 Sender address rejected",
  ),
  p(
    "sender_rejected",
    "en",
    "Exim and Postfix sender verification",
    /(sender verif(y|ication) failed|unverified sender|could not verify sender|invalid sender|bad sender|unknown sender|mail from .{0,80} (rejected|refused))/i,
    "550 Sender verify failed",
  ),
  p(
    "sender_rejected",
    "fr",
    "Orange/La Poste (Wanadoo) sender checks",
    /(adresse (de l'|d')?(exp[ée]diteur|[ée]metteur) (invalide|refus[ée]e|rejet[ée]e))/i,
    "550 5.1.0 Adresse d'expediteur invalide",
  ),
  p(
    "sender_rejected",
    "de",
    "German-language MTAs",
    /(absender(adresse)? (ung[üu]ltig|abgelehnt|unbekannt))/i,
    "550 Absenderadresse ungültig",
  ),
  // The remote gave up retrying: soft whatever the last error was.
  p(
    "expired",
    "en",
    "Exim, Postfix, Sendmail, qmail, OpenSMTPD, dma queue lifetime",
    /(retry time(out)? (not reached|exceeded)|delivery time expired|message expired|queue (expired|lifetime)|envelope expired|expired after|has been in the queue too long|too long in (the )?queue|(time|retry) limit (was )?(exceeded|reached)|maximum (queue|delivery) time|delivery expired|(message|delivery) has expired|lifetime exceeded|not delivered within|cannot send message for \d{1,3} (days?|hours?)|could not be delivered for \d{1,3} (days?|hours?)|undeliverable for \d{1,3} (days?|hours?)|i gave up|aborted after|(delivery )?failed \d{1,4} attempts|could not deliver for the last|deferred .{0,40}too long)/i,
    "Reason: delivery retry timeout exceeded",
  ),
  p(
    "expired",
    "en",
    "Gmail after retrying a host that never answered",
    /did not accept our requests to connect/i,
    "The recipient server did not accept our requests to connect.",
  ),
  p(
    "expired",
    "ja",
    "Japanese carriers' expiry notices",
    /(配信期限切れ|有効期限切れ|時間内に配信できません)/,
    "配信期限切れのため送信できませんでした",
  ),
  // Full mailbox.
  p(
    "mailbox_full",
    "en",
    "RFC 3463 X.2.2 wording, Exchange, Postfix, Dovecot, qmail, Yahoo",
    /(mail ?box exceeds|mail ?box (is |was )?(full|over (its |the )?quota|exceeded)|(mailbox|mail ?folder|folder|inbox|account|disk|storage) is full|mailfolder is full|over ?quota|quota (exceeded|exceed|full|limit)|exceeded (the |its |his |her |their )?(storage|quota|disk)|exceeds? (the )?(mailbox|disk|storage) (quota|size|limit)|mailbox size limit exceeded|insufficient (system )?storage|not enough (storage|disk|space)|disk quota|too many messages in (the )?(mailbox|folder)|messages in (recipient's|the) mailbox exceeded|mailbox has exceeded|full mailbox|out of (disk )?space)/i,
    "552 5.2.2 Mailbox full",
  ),
  p(
    "mailbox_full",
    "de",
    "GMX, web.de, T-Online",
    /(postfach (ist )?voll|speicher(platz)? (ist )?(voll|ersch[öo]pft|überschritten)|quota (ist )?überschritten)/i,
    "552 Postfach voll",
  ),
  p(
    "mailbox_full",
    "fr",
    "Orange, Free, SFR",
    /(bo[iî]te (aux lettres |mail |de r[ée]ception )?(est )?pleine|quota (est )?d[ée]pass[ée])/i,
    "552 Boite pleine / Mailbox full",
  ),
  p(
    "mailbox_full",
    "es",
    "Spanish-language MTAs",
    /(buz[óo]n (de correo )?(est[áa] )?lleno|cuota (excedida|superada))/i,
    "552 Buzón lleno",
  ),
  p(
    "mailbox_full",
    "it",
    "Libero, Virgilio",
    /(casella (di posta )?(è |e' )?piena|quota superata)/i,
    "552 Casella piena",
  ),
  p(
    "mailbox_full",
    "pt",
    "Portuguese-language MTAs",
    /(caixa (postal |de correio )?(est[áa] )?(cheia|lotada)|cota excedida)/i,
    "552 Caixa postal cheia",
  ),
  p("mailbox_full", "nl", "Dutch-language MTAs", /(mailbox is vol|postvak (is )?vol)/i, "552 Mailbox is vol"),
  p(
    "mailbox_full",
    "ru",
    "Mail.ru, Yandex",
    /(ящик переполнен|переполнен|превышен (лимит|размер) ящика)/i,
    "Почтовый ящик переполнен",
  ),
  p(
    "mailbox_full",
    "ja",
    "au (KDDI), docomo, SoftBank",
    /(メールボックスが一杯|メールボックスがいっぱい|容量(を|が)?(超過|オーバー)|受信容量)/,
    "送信先のメールボックスが一杯のため、送信できませんでした。",
  ),
  p("mailbox_full", "zh", "QQ, 163", /(邮箱(已满|空间不足)|超出(邮箱)?容量)/, "收件人邮箱已满"),
  // The recipient's domain does not exist or takes no mail. Temporary DNS failures first.
  p(
    "network_error",
    "en",
    "Postfix/Sendmail temporary DNS failure",
    /(host not found, try again|temporary (dns|lookup|name) (failure|error)|try again later.{0,20}dns|dns (lookup )?(timeout|timed out|servfail))/i,
    "Name service error for domain example.com: Host not found, try again",
  ),
  p(
    "host_unknown",
    "en",
    "Sendmail, Postfix, Exim, qmail, Exchange, RFC 7505 null MX",
    /((?<!@)\b[a-z0-9-]{1,63}\.[a-z]{2,24} does not exist|host unknown|unknown host|host or domain name not found|host [^\s]{1,255} not found|host not found|domain not found|domain name not found|no such domain|unknown domain|invalid domain|domain (does not|doesn't) exist|domain is not reachable|unrouteable (address|domain|mail domain)|no mx (record|host)|mx (record )?(not found|lookup failed)|couldn't find a mail exchanger|could not find a mail exchanger|no (mail exchanger|mail server) (for|found)|(indicated|has) no smtp service|null mx|does not accept (any )?mail|name service error|nxdomain|recipient domain (not found|does not exist|is invalid))/i,
    "550 Host unknown",
  ),
  p(
    "host_unknown",
    "fr",
    "Orange, La Poste",
    /(domaine (inconnu|inexistant|introuvable|invalide))/i,
    "550 5.1.2 Domaine inconnu",
  ),
  p(
    "host_unknown",
    "de",
    "German-language MTAs",
    /(dom[äa]ne (existiert nicht|unbekannt|nicht gefunden))/i,
    "550 Domäne existiert nicht",
  ),
  // A disabled mailbox (before "blocked": "The recipient account is blocked").
  p(
    "mailbox_disabled",
    "en",
    "Yahoo, AOL, Outlook, i.ua, vpopmail, Exchange 5.2.1",
    /((account|mail ?box|address|user|recipient)( has been| is| was|'s)? (disabled|deactivated|suspended|inactive|locked|frozen|closed|discontinued|terminated|expired|blocked|no longer (active|in use|available|valid)|not active|temporarily (disabled|unavailable))|(disabled|inactive|suspended|deactivated|expired|closed) (account|mailbox|user|recipient|address)|account (has been )?(disabled|suspended) or discontinued|user (is )?(suspended|terminated)|mailbox (is )?unavailable.{0,40}(disabled|inactive))/i,
    "550 5.2.1 This mailbox has been disabled",
  ),
  p(
    "mailbox_disabled",
    "fr",
    "Orange/Wanadoo (LPN007)",
    /(compte (du destinataire )?(est )?(bloqu|d[ée]sactiv|suspendu|ferm|inactif))/i,
    "550 5.5.0 Le compte du destinataire est bloque",
  ),
  p(
    "mailbox_disabled",
    "de",
    "German-language MTAs",
    /((konto|postfach) (ist |wurde )?(gesperrt|deaktiviert|stillgelegt))/i,
    "550 Postfach gesperrt",
  ),
  p(
    "mailbox_disabled",
    "es",
    "Spanish-language MTAs",
    /(cuenta (est[áa] )?(desactivada|suspendida|bloqueada|inactiva))/i,
    "550 Cuenta desactivada",
  ),
  // The address does not exist.
  p(
    "user_unknown",
    "en",
    "RFC 3463 X.1.1 wording; Sendmail, Postfix, Exim, qmail, Exchange, Domino, Gmail, Yahoo",
    /(user unknown|unknown user|unknown (local[ -]?part|recipient|address|mailbox)|no such (user|mailbox|recipient|address|account|person|local user)|(mailbox|user|recipient|address|account|addressee) (does not|doesn't|did not|not) exists?|(mailbox|user|recipient|account|address) (was |is )?not found|addressee unknown|invalid (recipient|address|mailbox|user|e-?mail address)|(recipient|address|mailbox|user) (is )?invalid|not a valid (mailbox|recipient|user|address)|bad destination (mailbox )?address|not listed in (the )?(domino )?directory|no mailbox here by that name|no (such )?mailbox by that name|address unknown|is not a known user|(user|recipient|mailbox) (is )?unknown|unknown or illegal alias|doesn't have an? .{1,60} account|does not have an? .{1,60} account|no valid recipients|mailbox unavailable|destination mailbox (has )?moved|no forwarding address|mailbox (has )?moved|user has moved|address (has )?changed|unknown alias|not our customer|no such id|account that you tried to reach does not exist|undeliverable address|is not a valid|recipient name is not recognized|(recipient|user|address) (name )?(is )?not recognized|not listed in (the )?public name (&|and) address book|invalid (final delivery )?userid|check (if|that|whether) (the )?(e-?mail )?address is correct|mailbox name not allowed)/i,
    "550 5.1.1 <kim@example.org>... User unknown",
  ),
  p(
    "user_unknown",
    "fr",
    "Orange/Wanadoo (LPN007), Free, SFR",
    /(adresse (destinataire |du destinataire |e-?mail )?(invalide|inconnue|inexistante)|destinataire inconnu|utilisateur inconnu|bo[iî]te (aux lettres )?(inconnue|inexistante)|n'existe pas)/i,
    "550 5.5.0 Adresse destinataire invalide",
  ),
  p(
    "user_unknown",
    "de",
    "GMX, web.de, T-Online, Exchange (German)",
    /(unbekannte?r? (empf[äa]nger|benutzer|adresse)|(empf[äa]nger|benutzer|adresse|postfach) (ist )?unbekannt|(existiert|gibt es) nicht|kein (solches )?postfach|ung[üu]ltige (empf[äa]nger)?adresse)/i,
    "550 Benutzer unbekannt",
  ),
  p(
    "user_unknown",
    "es",
    "Spanish-language MTAs",
    /(usuario (desconocido|inexistente|no existe)|destinatario (desconocido|inexistente|no existe)|direcci[óo]n (no existe|inexistente|desconocida|no v[áa]lida)|no existe)/i,
    "550 Usuario desconocido",
  ),
  p(
    "user_unknown",
    "it",
    "Libero, Aruba, Virgilio",
    /(utente (sconosciuto|inesistente|non esiste)|indirizzo (inesistente|non valido|sconosciuto)|destinatario (sconosciuto|inesistente)|non esiste)/i,
    "550 Utente sconosciuto",
  ),
  p(
    "user_unknown",
    "pt",
    "UOL, Terra, Sapo",
    /(usu[áa]rio (desconhecido|inexistente|n[ãa]o existe)|utilizador (desconhecido|inexistente)|endere[çc]o (inexistente|inv[áa]lido|desconhecido)|n[ãa]o existe)/i,
    "550 Usuário desconhecido",
  ),
  p(
    "user_unknown",
    "nl",
    "Dutch-language MTAs",
    /(onbekende (gebruiker|ontvanger)|(gebruiker|adres|ontvanger) (is )?onbekend|bestaat niet)/i,
    "550 Onbekende gebruiker",
  ),
  p(
    "user_unknown",
    "pl",
    "Onet, WP, Interia",
    /(nie istnieje|nieznany (u[żz]ytkownik|adresat|odbiorca))/i,
    "550 Konto nie istnieje",
  ),
  p(
    "user_unknown",
    "ru",
    "Mail.ru, Yandex, Rambler",
    /(нет такого (пользователя|ящика|адреса)|пользовател[ья] не (найден|существует)|(адрес|ящик|адресат) не существует|неизвестный (адресат|получатель|пользователь))/i,
    "550 Нет такого пользователя",
  ),
  p(
    "user_unknown",
    "ja",
    "docomo, au (KDDI), SoftBank, Japanese MTAs",
    /(宛先不明|存在しない(メール)?アドレス|アドレスが(存在しません|見つかりません)|(ユーザ|ユーザー)が(存在しません|見つかりません)|宛先(アドレス)?が(存在しません|見つかりません))/,
    "宛先不明のため送信できませんでした",
  ),
  p(
    "user_unknown",
    "zh",
    "QQ, 163, Sina",
    /(用户不存在|收件人不存在|地址不存在|邮箱不存在|帐号不存在|账号不存在)/,
    "550 用户不存在",
  ),
  // Relaying.
  p(
    "relaying_denied",
    "en",
    "Postfix, Sendmail, Exchange, Exim",
    /(relay(ing)? (access )?(denied|not (allowed|permitted))|unable to relay|relay not permitted|we do not relay|not permitted to relay|relaying (is )?(prohibited|denied|disallowed)|no relaying|cannot relay|relay prohibited|relay access)/i,
    "554 5.7.1 <kim@example.org>: Relay access denied",
  ),
  // Rate limits.
  p(
    "rate_limited",
    "en",
    "Gmail 4.2.1/4.7.28, Outlook, Yahoo TS, Postfix anvil",
    /(rate limit|ratelimit|rate-limit|receiving mail at a rate|sending rate|too many (connections|concurrent|sessions|messages|mails|emails)|(message|sending|connection|session) (limit|rate) (exceeded|reached)|exceeded (the |a |its )?(rate|sending|message|connection) limit|throttl|try again later.{0,40}(rate|limit|volume)|temporarily (deferred|rate)|unusual (rate|volume)|too fast|slow down|resources? (temporarily )?unavailable.{0,20}limit)/i,
    "421 4.7.28 Our system has detected an unusual rate of unsolicited mail",
  ),
  // Size.
  p(
    "message_too_big",
    "en",
    "RFC 3463 X.3.4 wording; Postfix, Exchange, Gmail, Yahoo",
    /(message (size )?(exceeds|is too (big|large)|too (big|large))|too (big|large) (for|message)|size (limit )?exceeded|exceeds? (the )?(maximum|max|fixed|allowed|size) (message )?(size|limit)|mail too large|exceeds? (the )?(message )?size limit|message length exceeds|maximum message size|message is larger than)/i,
    "552 5.3.4 Message size exceeds fixed limit",
  ),
  // Virus.
  p(
    "virus_detected",
    "en",
    "Amavis, ClamAV, Trend Micro, McAfee, Symantec",
    /(virus|malware|infected|trojan|worm detected|malicious (content|attachment|payload))/i,
    "554 5.7.1 Message rejected: virus found",
  ),
  // Listed or blocked senders (before spam: "Spamhaus" is a block list, not a spam verdict).
  p(
    "blocked",
    "en",
    "DNSBL rejections: Spamhaus, SpamCop, Barracuda, SORBS, Proofpoint",
    /(spamhaus|spamcop|barracuda|sorbs|dnsbl|\brbl\b|block ?list(ed)?|black ?list(ed)?|denylist|listed (in|at|on|by)|poor reputation|bad reputation|low reputation|(ip|sender|domain) reputation|reputation (is|of)|ptr record|reverse dns|reverse (lookup|dns)|rdns|client host .{0,80}(rejected|refused|blocked)|your (ip|ip address|server|host)|ip address .{0,60}(rejected|refused|not allowed|blocked)|connection refused by|banned|not allowed to send|access denied|refused to talk to me|service refuse|blocked|block(ing)? (of|your))/i,
    "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org",
  ),
  p(
    "blocked",
    "fr",
    "Orange 'Service refuse'",
    /(service refus[ée]|refus[ée] par|bloqu[ée])/i,
    "421 ME Service refuse. Veuillez essayer plus tard.",
  ),
  // Spam.
  p(
    "spam_detected",
    "en",
    "SpamAssassin, Gmail, Outlook, Mimecast, Proofpoint",
    /(spam|junk mail|unsolicited|bulk (mail|email)|message (was )?(classified|identified|detected|considered|flagged) as|suspicious (message|content)|looks? like (spam|unsolicited)|content scanner|high probability)/i,
    "550 5.7.1 Message rejected as spam by Content Filtering",
  ),
  p(
    "spam_detected",
    "de",
    "German-language filters",
    /(als spam (erkannt|eingestuft)|werbung)/i,
    "554 Nachricht als Spam erkannt",
  ),
  // Content.
  p(
    "content_rejected",
    "en",
    "Postfix header/body checks, Exchange transport rules, RFC 5322 checks",
    /(content (rejected|restrictions?|not (allowed|accepted)|filter)|message content|prohibited (content|attachment|file)|attachment (type )?(not allowed|rejected|blocked|prohibited)|(header|headers|mime|body) (error|check|syntax|too long|rejected|not allowed)|(invalid|malformed|bad) (header|message|mime|content)|not rfc ?(2?822|5322) compliant|rfc ?(2?822|5322)|message (was )?(filtered|rejected by (the )?filter)|filtered|content policy|contains (a |an )?(prohibited|forbidden|banned)|banned (attachment|file|content)|message (is )?not accepted)/i,
    "550 5.6.0 Message content rejected",
  ),
  // Network (after expiry, which often quotes the network error that caused it).
  p(
    "network_error",
    "en",
    "Postfix, Sendmail, Exim, qmail, dma connection failures",
    /(connection (timed out|refused|reset|lost|closed|dropped)|timed out|time-?out|no route to host|network (is )?unreachable|host (is )?unreachable|could not connect|unable to connect|can't connect|cannot connect|lost connection|connection was (lost|dropped|closed)|too many hops|mail loop|routing loop|loops? back to myself|mail for .{0,80} loops|no answer from host|remote protocol error|protocol error|tls (handshake )?(failed|error))/i,
    "Connection timed out",
  ),
  // Policy (generic refusals).
  p(
    "policy",
    "en",
    "RFC 3463 X.7.x wording; mailing list managers, Google Groups",
    /(policy|not (allowed|permitted|authori[sz]ed) to (post|send|deliver)|administrative prohibition|prohibited|denied|refused|not accepted|only members|not (a )?member|members only|permission|not authori[sz]ed|restricted|rejected by (a |the )?(remote )?(mail )?(recipient|administrator|server)|message rejected)/i,
    "550 5.7.1 Delivery not authorized, message refused due to policy",
  ),
  // System errors.
  p(
    "system_error",
    "en",
    "Sendmail, Postfix local(8), Exchange, qmail",
    /(system error|internal (server )?error|local error|mailer error|i\/o error|out of memory|system (is )?(full|busy|overloaded)|service (not available|unavailable|temporarily unavailable)|temporary (failure|error|problem)|try again later|server error|configuration error|child status|unexpected error|processing error|not available|unavailable)/i,
    "451 4.3.0 Local error in processing",
  ),
];

const MAX_TEXT = 2000;

/** The first known phrase in `text`: its reason, or undefined. */
export function reasonForText(text: string): FailureReason | undefined {
  // One line: a phrase a server folded over two lines ("Unknown\n Recipient") still matches.
  // Addresses are left out: "filtered@example.org" or "mailboxfull@…" says nothing about why.
  const limited = text
    .slice(0, MAX_TEXT)
    .replace(/[^\s@<>()"',;:[\]]{1,64}@[^\s<>()"',;:[\]]{1,255}/g, "<address>")
    .replace(/\s+/g, " ");
  return FAILURE_PHRASES.find((phrase) => phrase.pattern.test(limited))?.reason;
}

/** Phrases that outrank any enhanced code: the text names the sender, or a reason the code cannot carry. */
const PHRASE_WINS: ReadonlySet<FailureReason> = new Set(["sender_rejected", "auth_failure", "expired"]);

/**
 * The reason for one failure: its text and the enhanced codes it gives (most trusted first, e.g. the
 * DSN Status then the codes in Diagnostic-Code). Order: a sender/authentication/expiry phrase; a
 * precise code (not generic: X.0.0, X.7.1 …); a known phrase; `other`.
 */
export function failureReason(text: string, codes: readonly string[]): FailureReason {
  const phrase = reasonForText(text);
  if (phrase && PHRASE_WINS.has(phrase)) return phrase;
  for (const code of codes) {
    const fromCode = reasonForCode(code);
    if (fromCode) return phrase && refines(fromCode, phrase) ? phrase : fromCode;
  }
  return phrase ?? "other";
}

/**
 * A phrase that says more than a code of the same family: "5.7.x" with the word "spam" is spam; a
 * "5.1.x" with "Mailbox full" (SES quotes the remote's 5.2.2 under its own 5.1.0) is a full mailbox.
 */
function refines(fromCode: FailureReason, phrase: FailureReason): boolean {
  if (phrase === "mailbox_full" || phrase === "mailbox_disabled" || phrase === "rate_limited") return true;
  if (fromCode === "policy" || fromCode === "content_rejected" || fromCode === "system_error") return true;
  if (fromCode === "network_error" && phrase === "host_unknown") return true;
  return false;
}
