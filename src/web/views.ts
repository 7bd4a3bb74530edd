import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';

/** `templates/pages/` of this checkout. */
export function defaultPagesDir(): string {
  return fileURLToPath(new URL('../../templates/pages/', import.meta.url));
}

export type PageRenderer = (name: string, view: Record<string, unknown>) => string;

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-27 04:35 UTC` of an ISO string or Date; empty for null. */
export function formatTime(value: unknown): string {
  if (value == null || value === '') return '';
  const d = new Date(value as string);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `3h 12m`, `2d 4h`, `45s`: a short duration of milliseconds (sign dropped). */
export function formatDuration(ms: number): string {
  const s = Math.floor(Math.abs(ms) / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/**
 * Compile every page template once (call at start-up): `templates/pages/*.hbs`, partials from
 * `templates/pages/partials/`, each page wrapped in `layout.hbs` (`{{{body}}}`). Strict mode: a
 * field missing from a view throws instead of rendering blank (use null for "none"). Escaping
 * stays on; templates never come from user input.
 */
export function createPageRenderer(dir = defaultPagesDir()): PageRenderer {
  const hb = Handlebars.create();
  const options = { strict: true } as const;
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('join', (list: unknown, sep: unknown) => (Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ', ') : ''));
  hb.registerHelper('time', (v: unknown) => formatTime(v));
  hb.registerHelper('json', (v: unknown) => JSON.stringify(v));
  const partials = join(dir, 'partials');
  for (const file of existsSync(partials) ? readdirSync(partials).sort() : []) {
    if (file.endsWith('.hbs')) hb.registerPartial(file.slice(0, -4), hb.compile(readFileSync(join(partials, file), 'utf8'), options));
  }
  const pages = new Map<string, Handlebars.TemplateDelegate>();
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith('.hbs')) pages.set(file.slice(0, -4), hb.compile(readFileSync(join(dir, file), 'utf8'), options));
  }
  const layout = pages.get('layout');
  if (!layout) throw new Error(`page layout missing: ${join(dir, 'layout.hbs')}`);
  return (name, view) => {
    const page = pages.get(name);
    if (!page) throw new Error(`page template missing: ${name}`);
    return layout({ ...view, body: page(view) });
  };
}
