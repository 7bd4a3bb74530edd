import { ValidationError } from '../shared/errors.ts';

/** A case as a person writes it on the command line: `12` or `CD-12`; `what` names the argument in the error. */
export function parseCaseRef(value: string, what: string): number {
  const id = Number(value.trim().replace(/^CD-/i, ''));
  if (!Number.isInteger(id) || id <= 0) throw new ValidationError(`${what}: expected a case number such as 12 or CD-12; got "${value}"`);
  return id;
}
