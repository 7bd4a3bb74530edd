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
  /^(?:your )?(?:[a-z-]+ )?(mail|message|e-?mail) (delivery )?(failed|failure|could not be delivered|not delivered|was not delivered|returned)/i,
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

/**
 * Vacation-template phrases (webmail vacation settings, Thunderbird templates, Apple Mail and
 * Outlook rules, Lotus Notes agents), by language. Read in the top text only; each distinct
 * phrase counts once. A person mentioning a trip uses one of them at most, and asks something.
 */
export const VACATION_TEMPLATE: RegExp[] = [
  /\b(?:i(?:'m| am| will be)|we(?:'re| are)) (?:currently |now )?(?:out of (?:the )?office|away(?: from (?:the |my )?(?:office|desk))?|on (?:vacation|holiday|leave|annual leave|maternity leave|paternity leave|sabbatical|pto)|traveling|travelling|attending a conference|out sick)\b/i,
  /\b(?:i will be out of the office starting|will not return until|is out of the office|out of (?:the )?office (?:until|through|from|today|starting))\b/i,
  /\b(?:until|through|returning(?: on)?|will return(?: on)?|back (?:on|in the office)|return to the office)\s+(?:on\s+)?(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|\d{1,2}[/.-]\d{1,2})/i,
  /\b(?:limited|no|intermittent) access to (?:my )?e-?mail|not (?:be )?checking (?:my )?e-?mail|checking e-?mail only occasionally\b/i,
  /\b(?:i|we) will (?:respond|reply|get back to you|answer)[^.]{0,60}\b(?:upon|when|after|on) (?:my|our) return|\b(?:when|once) (?:i(?:'m| am)|we(?:'re| are)) back\b|\bwhen i return\b|\bas soon as (?:i am|i'm) back\b/i,
  /\b(?:for (?:urgent|immediate|time[- ]sensitive)|if (?:this is |your matter is |it is )?urgent|in case of (?:an )?(?:urgent|emergency)|for anything (?:urgent|time[- ]sensitive))\b/i,
  /\b(?:this is an? (?:automatic|automated|auto-generated) (?:response|reply|message)|messages (?:are|will) not (?:be )?forwarded|only notification you will receive|this is the only notification)\b/i,
  /\b(?:office|clinic) (?:is|will be) closed\b|\bclosed for the holiday\b/i,
  /\b(?:when|once|after) (?:we|the office|our office) (?:reopens?|return)\b/i,
  /\b(?:during|in) my (?:absence|leave|time away)\b|\bwhile i(?:'m| am) (?:away|out(?: of (?:the )?office)?|on leave)\b/i,
  /\b(?:will return|returning|will be back|back) (?:in|by|around) (?:early |mid-?|late )?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b/i,
  // Spanish, French, German, Portuguese, Italian
  /\b(?:estoy|estaré|me encuentro|no me encuentro) (?:fuera de la oficina|de vacaciones|ausente|en la oficina)|\bfuera de la oficina\b|\bde vacaciones\b/i,
  /\b(?:acceso limitado|sin acceso al correo)\b/i,
  /\b(?:responderé|contestaré|a mi regreso|regresaré|estaré de vuelta)\b/i,
  /\b(?:asuntos urgentes|para urgencias|en caso de urgencia|mensaje automático)\b/i,
  /\bhasta el (?:lunes|martes|miércoles|jueves|viernes|sábado|domingo|\d{1,2})\b/i,
  // French (one phrase a pattern: a notice writes several; accented letters are not \w, so no \b after them)
  /\b(?:je suis (?:actuellement )?absente?|absente? du bureau|en congés?(?![\wàâçéèêëîïôûùüÿ]))/i,
  /\b(?:accès limité|sans accès à (?:ma|mes) (?:messagerie|e-?mails?|courriels?)|ne consulterai pas)/i,
  /(?:\bdès|\bà) mon retour\b|\bje vous répondrai\b/i,
  /\b(?:pour toute urgence|en cas d'urgence|pour les urgences)\b/i,
  /\bjusqu'au (?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|\d{1,2})\b/i,
  // German
  /\b(?:ich bin (?:bis|vom|ab|zur zeit|derzeit)|nicht im büro|abwesend)\b/i,
  /\bin dringenden fällen\b/i,
  /\b(?:estou (?:fora do escritório|de férias)|sono (?:fuori ufficio|in ferie))\b/i,
  // Portuguese
  /\b(?:estarei (?:ausente|fora|de férias)|ausente do escritório|sem acesso ao e-?mail|acesso limitado ao e-?mail)\b/i,
  /\b(?:responderei|assim que (?:eu )?retornar|no meu retorno|em caso de urgência)\b/i,
  // Italian
  /\b(?:fuori (?:ufficio|sede)|non avrò accesso|accesso limitato alla posta)\b/i,
  /\b(?:risponderò|al mio rientro|per urgenze|in caso di urgenza)\b/i,
  // Dutch
  /\b(?:ik ben (?:afwezig|niet aanwezig|met vakantie)|lees (?:mijn|geen) e-?mail)\b/i,
  /\b(?:wordt niet doorgestuurd|voor dringende zaken|ben ik (?:weer )?bereikbaar)\b/i,
  // German (more)
  /\b(?:bin ich (?:nicht|wieder) (?:im büro|erreichbar)|keinen zugriff auf (?:meine )?e-?mails|ihre (?:e-?mail|nachricht) wird nicht weitergeleitet|ab dem \d{1,2}\.)\b/i,
  // Polish
  /\b(?:jestem (?:poza biurem|na urlopie|nieobecn[ya])|będę (?:niedostępn[ya]|poza biurem)|nie mam dostępu do poczty)/i,
  /\b(?:w (?:pilnych|sprawach pilnych)|w sprawach niecierpiących zwłoki)|\bdo \d{1,2} (?:stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|listopada|grudnia)/i,
  // Swedish, Danish/Norwegian, Finnish, Czech, Turkish, Russian, Japanese, Chinese: the away sentence
  /\b(?:jag är (?:på semester|ledig|borta|inte på kontoret|tjänstledig)|jeg er (?:på ferie|fraværende|ikke på kontoret|bortrejst)|olen (?:lomalla|poissa toimistolta)|jsem (?:mimo kancelář|na dovolené)|ofis dışındayım|izindeyim)|я (?:в отпуске|нахожусь в отпуске)|меня нет в офисе|不在にしております|休暇中|我正在休假|不在办公室/i,
  // Someone who left: the mailbox answers for them
  /\b(?:i am|i'm|is) no longer (?:with|at|employed|working)\b|\bno longer (?:works?|employed) (?:at|for|with)\b|\bhas left (?:the (?:company|practice|organization)|our (?:company|practice|organization))\b/i,
];

/**
 * Phrases of notifications and acknowledgements (portals, e-fax, payer notices, ticket
 * systems): written by software for anyone, never by a person asking us something.
 */
export const NOTICE_BODY: RegExp[] = [
  /\b(?:please )?do not reply(?: to this (?:e-?mail|message))?\b|\bdon't reply to this (?:e-?mail|message)\b/i,
  /\b(?:this (?:mail)?box is (?:not|no longer) (?:being )?monitored|unmonitored (?:mail)?box|replies to this (?:e-?mail )?address are not monitored|(?:not|no longer) (?:being )?monitored)\b/i,
  /\bplease use (?:the|our) (?:contact form|online form|patient portal|portal|website)\b/i,
  // Office hours, as a template gives them.
  /\b(?:monday|mon) (?:to|through|thru|-|–) (?:friday|fri)\b/i,
  /\bthis (?:is an? )?(?:automated|automatic|automatically generated|auto-generated|system[- ]generated) (?:message|notification|e-?mail|notice|response|reply|report)\b|\b(?:was |has been |been )?(?:generated|sent) automatically\b|\bautomatically generated\b/i,
  /\blog ?in to (?:view|see|review|read|access|(?:the |your )?(?:[\w-]+ )?(?:portal|account|inbox|website))|\bvisit the (?:[\w-]+ )?portal\b/i,
  /\byou have (?:received )?(?:a |an |\d+ )?(?:new )?(?:[\w-]+ ){0,2}(?:message|fax|document|notification|result|voicemail)s?(?: waiting)?\b|\byou have received a (?:new |\d+ page )?fax\b/i,
  /\b(?:your )?(?:one-time )?verification code is\b|\bif you did not request\b/i,
  /\b(?:your )?(?:ticket|case|request|incident|reference) (?:number|id|#)\b|\bhas been (?:received|created|opened|registered|assigned|logged)\b|\bticket has been created\b/i,
  /\b(?:we will|we'll|will) (?:respond|reply|get back to you)(?: to (?:your|all) (?:e-?mails?|messages?|requests?))? within (?:\d+|one|two|three|five) (?:business |working )?(?:days?|hours?)\b|\b(?:usually|typically) (?:replies|responds|reply|respond) within\b|\bthis mailbox is monitored\b/i,
  /\b(?:reply|type your reply) above this line\b/i,
  /\ba (?:support |customer service |service desk )?(?:representative|agent|member of (?:our|the) (?:team|service desk|support staff)) will\b/i,
  /\bwe(?:'ve| have)? received your (?:[\w-]+ )?(?:e-?mail|message|request|inquiry|enquiry)\b|\bthank you for contacting\b|\bthanks for reaching out\b|\bthank you for your (?:e-?mail|message) to the\b/i,
  /\byou are receiving this (?:e-?mail|message)\b|\byou received this (?:e-?mail|message) because\b/i,
  /\bmanage your (?:e-?mail |notification )?preferences\b|\bunsubscribe\b/i,
  /\b(?:review document|review and sign|start the survey|view (?:this fax|details|the remittance|the (?:completed |signed )?document)|click here to)\b/i,
  /\b(?:is|are) (?:now )?(?:ready|available) (?:for (?:download|viewing|review)|to (?:download|view))\b|\b(?:download|view) it (?:from|in|on) (?:the|your)\b|\ba new [\w -]{0,30}(?:is|has been made) available\b/i,
  /\b(?:was|has been) sent successfully\b|\bthank you for using\b|\b(?:all parties|everyone) (?:has|have) (?:completed|signed)\b/i,
  /\b(?:our |the )?response time is\b|\bdue to (?:high|heavy|increased) (?:volume|demand)\b/i,
  /\b(?:we )?(?:appreciate|thank you for) your patience\b/i,
  // Read receipts written as ordinary mail, message recalls, meeting responses, challenge-response filters
  /\bthis (?:is a )?receipt (?:for the (?:mail|message)|verifies that)\b|\bhas been displayed on the recipient's computer\b|\b(?:your message|the message) was read on\b/i,
  /\bwould like to recall the message\b/i,
  /\bhas (?:accepted|declined|tentatively accepted) this (?:meeting|invitation|event)\b/i,
  /\bchallenge[- ]response\b|\bconfirm (?:that )?you are (?:a )?(?:real person|human|not a robot)\b|\b(?:click|follow) the link (?:below|above) to (?:verify|confirm)\b|\bis being held until you (?:confirm|verify)\b/i,
  /\bin this (?:issue|edition|newsletter)\b|\byou are subscribed to\b|\bread the full (?:update|story|article|newsletter)\b/i,
];

/** Phrases of security-gateway block and quarantine notices about a message we sent. */
export const BLOCK_BODY: RegExp[] = [
  /\b(?:was|has been|were) (?:blocked|quarantined|held|rejected)\b[^.]{0,80}\b(?:gateway|filter|polic(?:y|ies)|security|quarantine)\b/i,
  /\b(?:was|has been) (?:blocked|quarantined) by\b/i,
  /\bnot delivered because it violated\b|\bviolated a policy\b/i,
  /\brelease the message\b|\bquarantine (?:inbox|digest|folder)\b/i,
];

/** Subject starts of vacation notices that the older table misses (Lotus Notes, templates). */
export const VACATION_SUBJECTS: RegExp[] = [
  /^[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3} (?:is|will be) (?:out of (?:the )?office|away|on vacation|on leave)\b/,
  /^(?:away|out) (?:until|till|from (?:the )?office|of office until)\b/i,
  /^(?:office closed|billing office closed|closed for the holiday)\b/i,
];

/** Subjects of ticket-system acknowledgements and of block notices. */
export const ACK_SUBJECTS: RegExp[] = [
  /^\[?(?:request|ticket|case|inquiry) (?:received|created|opened|logged)\b/i,
  /^(?:support )?ticket (?:opened|received|created)\b|\[#?[A-Z]*-?\d{3,}\]\s*$|\[ticket#?\s*\d+\]/i,
  /^(?:we(?:'ve| have) received your|thank you for (?:contacting|your (?:email|message|request)))\b|\b(?:request|inquiry|message|e-?mail|ticket|case) (?:has been|was) (?:received|created|logged|opened)\b|^received: /i,
  /^(?:incident|case|request) [A-Z]*\d+[:\s].{0,40}\b(?:opened|received|created|logged)\b/i,
  /\bautoreply:/i,
];
/** Subjects of notifications (portals, e-fax, e-signature, payer notices, reminders, surveys). */
export const NOTICE_SUBJECTS: RegExp[] = [
  // Read and delivery receipts sent as ordinary mail (no MDN structure).
  /^(?:read|delivered|relayed|gelesen|lu|leído|lido|recall):\s/i,
  /^(?:accepted|declined|tentative|tentatively accepted):\s/i,
  /^(?:please )?(?:verify|confirm) your (?:e-?mail|message|address)\b/i,
  /^(?:new (?:secure )?(?:message|fax|document|voicemail)|you have (?:a |\d+ )?new (?:secure )?(?:message|fax|document)s?|fax received\b|new fax\b)/i,
  /^(?:please docusign|please sign|signature requested|your (?:one-time |verification )?code|verification code|appointment reminder|reminder:|action required:)/i,
  /^(?:incoming fax|fax from)\b|^you have (?:a |\d+ )?new (?:[\w-]+ ){0,2}(?:message|fax|document|result)s?\b/i,
  /\b(?:remittance advice|era|835) (?:is )?(?:ready|available)\b|^claim status (?:update|notification)|\b(?:daily|weekly|monthly) .{0,40}\breport\b/i,
  /^(?:how did we do|tell us about your|we value your feedback|fax delivery (?:failed|confirmation))/i,
  /^(?:completed|signed|voided|declined):\s|\b(?:file|files|report|statement|remittance|document|era)s? (?:is|are) (?:now )?(?:ready|available)\b|^reset your password\b|^password (?:reset|expir)/i,
];
export const BLOCK_SUBJECTS: RegExp[] = [/^(?:(?:message|mail|e-?mail) )?(?:blocked|quarantined)\b|^blocked:|^quarantine(?:d)? (?:notice|notification|message)|^your (?:message|mail|e-?mail) to \S+ (?:was|has been) (?:blocked|quarantined|held)\b/i];

/**
 * Local parts of notification senders (portals, e-fax, payers, ticket and e-sign systems).
 * Supporting evidence only: shared human mailboxes (`billing@`, `coding@`) are not here.
 */
export const NOTICE_LOCAL_PART =
  /^(?:messages?|service|services|feedback|security|protection|dse(?:_\w+)?|jira|rt|help|auto|system)$|(?:^|[-_.])(?:news(?:letter)?|updates?|alerts?|reports?)(?:$|[-_.])|^(?:e-?)?fax|notif|verif(?:y|ication)|notify|remind|support|helpdesk|servicedesk|survey|mailer|automated|quarantine|voicemail|^events?$|^securemail$|^edi-|^portal-/i;

/** Headers that ticket systems, e-mail platforms and rule engines put on what they send. */
export const TICKET_HEADER = /^(?:x-(?:zendesk|freshdesk|fd-|otrs|rt-|jira|servicenow|helpscout|kayako|osticket|zammad|sfdc|spiceworks|request-tracker|desk|ticket|hubspot|intercom)|rt-ticket|rt-originator|managed-by)/i;
export const PLATFORM_HEADER = /^(?:x-ses-outgoing|x-mailgun-\w+|x-sg-eid|x-sg-id|x-mc-user|x-mandrill-user|x-campaign(?:id)?|x-mailchimp-\w+|x-sfmc-\w+|x-mkto-\w+|x-ms-exchange-inbox-rules-loop)$/i;
export const TICKET_MAILER = /\b(?:zendesk|freshdesk|osticket|otrs|znuny|request tracker|jira|servicenow|salesforce|help ?scout|kayako|zammad)\b/i;
