/**
 * The paragraph a consultant adds to a reply when the coder sent patient identifiers (the case
 * page offers it when the PHI guard marked spans in the question).
 */
export const PHI_NOTICE_PARAGRAPH =
  'Please do not send patient identifiers by email: no patient names, dates of birth, member, Medicare or record numbers, ' +
  'phone numbers or addresses. We removed the ones in your question and did not need them: the codes and the date of service ' +
  'are all a coding question needs.';

/**
 * `text` with the paragraph inserted once: before the "WHAT WE CHECKED" block of a drafted
 * answer when there is one, else at the end. A text that already has it is returned unchanged.
 */
export function insertPhiNotice(text: string): string {
  if (text.includes(PHI_NOTICE_PARAGRAPH)) return text;
  const at = text.indexOf('\nWHAT WE CHECKED');
  if (at < 0) return `${text.replace(/\s+$/, '')}\n\n${PHI_NOTICE_PARAGRAPH}\n`;
  return `${text.slice(0, at).replace(/\s+$/, '')}\n\n${PHI_NOTICE_PARAGRAPH}\n\n${text.slice(at + 1)}`;
}
