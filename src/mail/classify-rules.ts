/**
 * Pattern tables for the classifier. Every entry is a general signal seen in mail written by
 * software (MTAs, vacation responders, list servers, spam filters), never a match on a
 * particular message. Subjects are matched at their start, after any `[list-tag]` prefixes but
 * NOT after `Re:`/`Fwd:`: a coder forwarding us a bounce to ask about it is a human writing.
 */

/** Local parts of addresses that only software sends from. */
export const DAEMON_LOCAL_PART = /^(mailer[-_]?daemon|mail[-_]?daemon|post[-_]?master|mdaemon|mmdf|smtp[-_]?gateway)$/i;
/** Display names MTAs put on their notices. */
export const DAEMON_NAME = /\b(mail delivery (system|subsystem|service)|mailer[-_ ]daemon|mail administrator|postmaster|mail system|delivery status notification)\b/i;
/** noreply / do-not-reply senders: a reply could not reach anyone. */
export const NOREPLY_LOCAL_PART = /(^|[-_.+])(no[-_.]?reply|do[-_.]?not[-_.]?reply|dont[-_.]?reply)($|[-_.+])/i;

/** Subject starts of non-standard bounces (MTAs that send no multipart/report), by language. */
export const BOUNCE_SUBJECTS: RegExp[] = [
  // English, the bulk of MTAs
  /^(undeliver(able|ed)|non[- ]?deliver(able|y)|nondeliverable)\b/i,
  /^(mail |message )?delivery (status notification|notification|failure|failed|has failed|problem|error|report)/i,
  /^(mail|message) (delivery )?(failed|failure|could not be delivered|not delivered|was not delivered|returned)/i,
  /^(returned mail|returned message|return(ed)? to sender|failure notice|failed mail|mail system error|could not send message|warning: could not send message)/i,
  /^(delivery (delayed|delay)|unable to deliver|permanent (error|failure)|undelivered mail)/i,
  // German, French, Spanish, Italian, Portuguese, Dutch, Polish, Russian, Japanese, Chinese
  /^(unzustellbar|nicht zustellbar|zustellung fehlgeschlagen|benachrichtigung zum übermittlungsstatus|fehlgeschlagen:)/i,
  /^(non remis|non distribuable|échec de (la )?(remise|distribution)|message non (délivré|remis)|rapport de non-remise)/i,
  /^(no se puede entregar|no entregado|correo devuelto|mensaje devuelto|error (en la|de) entrega|notificación de estado de entrega)/i,
  /^(non recapitabile|mancata consegna|impossibile recapitare|messaggio non recapitato)/i,
  /^(não (foi )?entregue|falha (na|de) entrega|mensagem não entregue|não é possível entregar)/i,
  /^(onbestelbaar|niet afgeleverd|bezorging mislukt)/i,
  /^(niedostarczon|nie dostarczono|nie można dostarczyć)/i,
  /^(недоставленное|не доставлено|ошибка доставки|сообщение не доставлено|уведомление о (недоставке|доставке))/i,
  /^(配信エラー|配送エラー|配信不能|未配達|送信エラー)/,
  /^(退信|系统退信|投递失败|未能送达|邮件退回|無法傳遞|無法投遞)/,
];

/** Subject starts of vacation / out-of-office / automatic replies, by language. */
export const AUTO_REPLY_SUBJECTS: RegExp[] = [
  /^(auto(matic|mated)?[ -]?(reply|response|answer|respon[cs]e)|autoreply|autorespon(se|der)|auto:)/i,
  /^(out of (the )?office|ooo\b|on vacation|vacation (reply|message|notice|autoreply)|away from (the )?office|on leave|on holiday|absence notice)/i,
  /^(abwesenheit(snotiz|smeldung)?|automatische antwort|automatische rückantwort|nicht im büro)/i,
  /^(réponse automatique|absente? du bureau|message d'absence)/i,
  /^(respuesta automática|fuera de (la )?oficina|respuesta automatica)/i,
  /^(risposta automatica|fuori (sede|ufficio))/i,
  /^(resposta automática|fora do escritório)/i,
  /^(automatisch antwoord|afwezig(heid)?|niet aanwezig)/i,
  /^(automatyczna odpowiedź|nieobecność|odpowiedź automatyczna)/i,
  /^(automātiskā atbilde|automatiska atbilde|automatiskt svar|automatisk svar|autosvar|automaattinen vastaus)/i,
  /^(автоответ|автоматический ответ|нет на месте|в отпуске)/i,
  /^(自動応答|自動返信|自动回复|自動回覆)/,
  // Outlook's localized prefixes, "<phrase>: <original subject>", sometimes after other words (Latvian "Ārpus biroja …").
  /^(ārpus|arpus) biroja/i,
  /^[^:]{0,60}\b(automatic reply|auto[- ]reply|automātiskā atbilde|automatiska atbilde|automatische antwort|réponse automatique|respuesta automática|risposta automatica|automatisch antwoord|automatyczna odpowiedź)\s*:/i,
  // Single words that also start ordinary sentences ("Absence of modifier 59…") count only as the whole subject or before a colon.
  /^(absence|absent|absente|ausencia|ausente|assente|abwesend|poissa|不在|休假)\s*(:|$)/i,
];

/** Sentences MTAs write in plain-text bounces; supporting evidence, never alone. */
export const BOUNCE_BODY: RegExp[] = [
  /this is the mail system at host/i,
  /could not be delivered to one or more (of its )?recipients/i,
  /delivery to the following recipients? (failed|has been delayed)/i,
  /this message was created automatically by mail delivery software/i,
  /delivery has failed to these recipients/i,
  /the original message was received at/i,
  /this is the qmail-send program/i,
  /your message did not reach some or all of the intended recipients/i,
  /(unable|failed) to deliver (your |the )?message/i,
  /(message|mail) (could not|couldn't|cannot) be delivered/i,
  /(permanent|fatal) (error|failure)/i,
  /\b(user unknown|unknown user|no such (user|mailbox|recipient)|mailbox (unavailable|full|not found|is full)|recipient address rejected|quota exceeded|over quota)\b/i,
  /\breturned to sender\b/i,
  /\b[45]\d\d[ -][45]\.\d{1,3}\.\d{1,3}\b/,
];

/** Sentences of vacation replies; supporting evidence only (a human may mention being away). */
export const VACATION_BODY: RegExp[] = [
  /\bI(?:'m| am| will be) (?:currently )?(?:out of (?:the )?office|away|on (?:vacation|holiday|leave|annual leave)|travelling|traveling)\b/i,
  /\b(?:limited|no) access to (?:my )?e-?mail\b/i,
  /\bich bin (?:bis|vom|ab|zur zeit|derzeit) .{0,60}(?:nicht im büro|abwesend|im urlaub)/i,
  /\bje suis (?:actuellement )?absente?\b/i,
  /\bestoy (?:fuera de la oficina|de vacaciones)\b/i,
];

/** Subject tags that spam filters put on their verdict (SpamAssassin rewrite_header and friends). */
export const SPAM_SUBJECT_TAG = /^\s*(\*{2,}\s*spam\s*\*{2,}|\[spam\]|\{spam\??\}|\(spam\)|spam:)/i;

/** Headers of RFC 3834 era and older autoresponders; present at all means automatic. */
export const AUTO_REPLY_HEADERS = ['x-autoreply', 'x-autorespond', 'x-autoresponder', 'x-autogenerated', 'x-autoreply-from', 'x-mail-autoreply'];

/** Headers that only mailing-list software (or bulk senders) add. */
export const LIST_HEADERS = [
  'list-id', 'list-unsubscribe', 'list-post', 'list-help', 'list-subscribe', 'list-owner', 'list-archive',
  'mailing-list', 'x-mailing-list', 'x-beenthere', 'x-list',
  // fml, the Japanese list server, and its successors mark everything they send with these.
  'x-mlserver', 'x-ml-name',
];

/** Strip leading `[list-tag]` prefixes from a subject before matching it. */
export function subjectCore(subject: string): string {
  return subject.replace(/^\s*(\[[^\]]{0,80}\]\s*)+/, '').trim();
}

/** The first pattern of `table` that matches `text`, as its source, or null. */
export function firstMatch(table: RegExp[], text: string): RegExp | null {
  return table.find((re) => re.test(text)) ?? null;
}
