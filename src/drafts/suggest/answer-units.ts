import type { MueEvidence } from '../evidence.ts';
import type { Sources } from './sources.ts';
import type { MueFact } from './types.ts';

export function mueFact(m: MueEvidence): MueFact {
  const value = m.checked ? m.value : null;
  return {
    kind: 'mue',
    code: m.code,
    value,
    unitsWritten: m.unitsWritten,
    exceeds: value !== null && m.unitsWritten !== null ? m.unitsWritten > value : null,
  };
}

/** What each MUE adjudication indicator (MAI) means for the units billed, and the appeal note. */
const MAI: Record<string, { per: string; meaning: string; appeal: string }> = {
  '1': {
    per: 'per claim line',
    meaning: 'line edit: units above the MUE on one claim line are denied',
    appeal: 'When more units were medically reasonable (for example on another side or site), they go on separate lines with the modifiers that show why (RT/LT, 59 or XE/XS/XP/XU), and the record must support each line.',
  },
  '2': {
    per: 'per day',
    meaning: 'date of service edit, policy: units above the MUE on one date are not paid',
    appeal: 'This limit is absolute: an appeal on medical necessity does not change it.',
  },
  '3': {
    per: 'per day',
    meaning: 'date of service edit, clinical: units above the MUE on one date are denied',
    appeal: 'Units above the MUE may be paid on appeal when the record documents that they were medically necessary.',
  },
};

/**
 * One paragraph per code: the MUE value and its adjudication indicator, the units written
 * against it, and the appeal note that applies. No MUE in the release in force is said as such;
 * a payer's own unit limits are never stated (the data does not hold them).
 */
export function unitsParagraph(m: MueEvidence, sources: Sources, date: string): string {
  const release = sources.inForce('MUE');
  const cite = release ? sources.cite(release) : 'MUE';
  if (m.value === null) {
    const written = m.unitsWritten !== null ? ` (${m.unitsWritten} units written)` : '';
    return `${m.code}${written}: no MUE is listed for it (${cite}), so no MUE limit applies on ${date}. A payer may still set its own limit.`;
  }
  const mai = MAI[m.adjudicationIndicator ?? ''];
  const unit = m.value === 1 ? 'unit' : 'units';
  const head = mai
    ? `${m.code}: the MUE is ${m.value} ${unit} ${mai.per} (${cite}), adjudication indicator ${m.adjudicationIndicator} (${mai.meaning}).`
    : `${m.code}: the MUE is ${m.value} ${unit} (${cite}), adjudication indicator ${m.adjudicationIndicator ?? 'not given'}.`;
  const parts = [head];
  if (m.unitsWritten !== null) {
    parts.push(
      m.unitsWritten > m.value
        ? `You wrote ${m.unitsWritten} units: that is more than the MUE of ${m.value}, so ${m.unitsWritten - m.value} would be denied as billed.`
        : `You wrote ${m.unitsWritten} ${m.unitsWritten === 1 ? 'unit' : 'units'}: within the MUE of ${m.value}.`,
    );
  }
  if (mai && (m.unitsWritten === null || m.unitsWritten > m.value)) parts.push(mai.appeal);
  return parts.join(' ');
}
