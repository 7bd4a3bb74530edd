import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { evidenceShown } from './evidence.ts';
import { CONSULTANT_ANSWER_MARKER, type RenderedReply, type ReplyKind, type ReplyViews } from './reply-view.ts';

export const REPLY_KINDS: readonly ReplyKind[] = ['answer', 'needs-info', 'received', 'not-subscribed', 'over-quota'];

/** `templates/replies/` of this checkout. */
export function defaultTemplatesDir(): string {
  return fileURLToPath(new URL('../../templates/replies/', import.meta.url));
}

/**
 * The subject of a reply: one `Re:` however many reply prefixes the original carries, and the
 * case tag `[CD-<n>]` unless it is already there. Line breaks are folded (no header injection).
 * Without a case id (a notice to a stranger) no tag is added.
 */
export function replySubject(original: string, caseId?: number | null): string {
  let subject = original.replace(/[\r\n\t]+/g, ' ').replace(/\s{2,}/g, ' ').trim();
  subject = subject.replace(/^(?:(?:re|aw|sv|antw)(?:\[\d+\])?\s*:\s*)+/i, '');
  if (subject === '') subject = '(no subject)';
  if (caseId == null) return `Re: ${subject}`;
  const hasTag = new RegExp(`\\[CD-${caseId}\\]`, 'i').test(subject);
  return hasTag ? `Re: ${subject}` : `Re: ${subject} [CD-${caseId}]`;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * HTML body fragment of a plain-text reply, for a draft whose text a consultant edited: escaped,
 * blank lines separate paragraphs, single line breaks become `<br>`. No links are made.
 */
export function textToHtml(text: string): string {
  const paragraphs = text.replace(/\r\n?/g, '\n').trim().split(/\n[ \t]*\n+/);
  return paragraphs
    .filter((p) => p.trim() !== '')
    .map((p) => `<p style="margin:0 0 1em 0;">${p.replace(/[&<>"']/g, (c) => ESCAPES[c]).split('\n').join('<br>\n')}</p>`)
    .join('\n');
}

/** Whether a draft's text still holds the consultant-answer placeholder (not ready to approve). */
export function hasAnswerPlaceholder(text: string): boolean {
  return text.includes(CONSULTANT_ANSWER_MARKER);
}

export interface ReplyRenderer {
  /** Render one reply kind from its view: subject, plain text and HTML from the same view. */
  render<K extends ReplyKind>(kind: K, view: ReplyViews[K]): RenderedReply;
  /** Text and HTML of a reply whose text a consultant wrote or edited (HTML made from the text). */
  renderConsultantReply(text: string): { text: string; html: string };
}

type Template = Handlebars.TemplateDelegate;

/**
 * Read and compile every reply template and partial once (call at start-up, keep the result).
 * Strict mode: a field missing from a view throws instead of rendering blank. HTML templates
 * escape every value; text templates are compiled with `noEscape` (plain text has nothing to
 * escape) but are strict too. Two separate Handlebars instances keep the two apart.
 */
export function createReplyRenderer(options: { templatesDir?: string } = {}): ReplyRenderer {
  const dir = options.templatesDir ?? defaultTemplatesDir();
  const text = Handlebars.create();
  const html = Handlebars.create();
  const textOptions = { strict: true, noEscape: true } as const;
  const htmlOptions = { strict: true } as const;
  registerHelpers(text, html);

  const partialsDir = join(dir, 'partials');
  for (const file of existsSync(partialsDir) ? readdirSync(partialsDir).sort() : []) {
    const m = /^(.+?)(?:\.(txt|html))?\.hbs$/.exec(file);
    if (!m) continue;
    const source = readFileSync(join(partialsDir, file), 'utf8');
    if (m[2] !== 'html') text.registerPartial(m[1], text.compile(source, textOptions));
    if (m[2] !== 'txt') html.registerPartial(m[1], html.compile(source, htmlOptions));
  }

  const read = (name: string): string => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new Error(`reply template missing: ${path}`);
    return readFileSync(path, 'utf8');
  };
  const templates = new Map<ReplyKind, { text: Template; html: Template }>();
  for (const kind of REPLY_KINDS) {
    templates.set(kind, { text: text.compile(read(`${kind}.txt.hbs`), textOptions), html: html.compile(read(`${kind}.html.hbs`), htmlOptions) });
  }
  const consultantHtml = html.compile(read('consultant-reply.html.hbs'), htmlOptions);

  return {
    render(kind, view) {
      const t = templates.get(kind);
      if (!t) throw new Error(`unknown reply kind: ${String(kind)}`);
      const context = contextOf(kind, view);
      const caseNumber = 'caseNumber' in view ? view.caseNumber : null;
      const caseId = caseNumber ? Number(/(\d+)$/.exec(caseNumber)?.[1]) : null;
      return { subject: replySubject(view.originalSubject, caseId), text: tidyText(t.text(context)), html: t.html(context).trim() + '\n' };
    },
    renderConsultantReply(body) {
      const clean = tidyText(body);
      return { text: clean, html: consultantHtml({ body: textToHtml(clean) }).trim() + '\n' };
    },
  };
}

/** The view plus what templates cannot compute in strict mode without logic. */
function contextOf<K extends ReplyKind>(kind: K, view: ReplyViews[K]): Record<string, unknown> {
  if (kind === 'answer') {
    const v = view as ReplyViews['answer'];
    const answer = v.suggestedAnswer?.trim() ? v.suggestedAnswer.trim() : null;
    const placeholder = answer ?? v.consultantAnswerPlaceholder ?? CONSULTANT_ANSWER_MARKER;
    return {
      ...v,
      consultantAnswerPlaceholder: placeholder,
      answerParagraphs: answer ? answer.split(/\n[ \t]*\n+/).map((p) => p.trim()).filter(Boolean) : null,
      evidence: evidenceShown(v.evidence),
    };
  }
  return { ...view };
}

/** Plain text: no trailing blanks, at most one empty line in a row, one final newline. */
function tidyText(s: string): string {
  return `${s.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim()}\n`;
}

function registerHelpers(text: typeof Handlebars, html: typeof Handlebars): void {
  for (const hb of [text, html]) {
    hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));
    hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  }
  // `> ` before every line: the restated question reads as a quotation (and the extractor skips it on a reply).
  text.registerHelper('quote', (s: unknown) => String(s).replace(/\r\n?/g, '\n').trim().split('\n').map((l) => (l ? `> ${l}` : '>')).join('\n'));
}
