/**
 * Turning any thrown value into log fields that cannot carry message content or patient data.
 *
 * Database and driver errors put values in their text: MikroORM inlines parameters into the SQL,
 * knex puts that SQL into `err.message`, PostgreSQL's `detail` quotes the offending key
 * (`Key (pattern)=(jane@example.com) already exists.`), SQLite and Node name files and hosts. So
 * the message, `detail`, `hint`, `where`, `internalQuery`, `sql`, `parameters`, `path` and the
 * stack's message lines are never copied. What is kept identifies the failure:
 * - `type`: the class name (`UniqueConstraintViolationException`, `SqliteError`, `ValidationError`);
 * - `code`: our AppError code, the PostgreSQL SQLSTATE (`23505`), the SQLite code
 *   (`SQLITE_CONSTRAINT_UNIQUE`), the Node errno code (`ECONNREFUSED`);
 * - `errno`, `syscall`;
 * - names from the schema, which are not data: PostgreSQL's `schema`, `table`, `column`,
 *   `constraint`, `dataType`, `routine`; for SQLite the constraint kind and the `table.column`
 *   names of its message (`UNIQUE constraint failed: subscriber.pattern`);
 * - `frames`: the stack's `at …` lines (code locations), without the message above them;
 * - `cause`: the same for `err.cause`, three levels deep.
 * Every kept string is checked against a strict shape (identifier-like, short); anything else is
 * dropped. Never throws.
 */
export interface SafeErrorFields {
  type: string;
  code?: string;
  errno?: number;
  syscall?: string;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  routine?: string;
  /** `unique`, `not-null`, `check`, `foreign-key`, `primary-key` (SQLite, read from its message). */
  constraintKind?: string;
  /** SQLite: the `table.column` names its constraint message lists. */
  columns?: string[];
  frames?: string;
  cause?: SafeErrorFields;
}

const NAME = /^[A-Za-z_$][\w$.-]{0,79}$/;
const CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_FRAMES = 8;

export function logSafeError(err: unknown): SafeErrorFields {
  return describe(err, 0, new Set());
}

function describe(err: unknown, depth: number, seen: Set<unknown>): SafeErrorFields {
  if (err === null || typeof err !== 'object') return { type: err === null ? 'null' : typeof err };
  seen.add(err);
  const e = err as Record<string, unknown>;
  const out: SafeErrorFields = { type: typeName(err) };
  const code = e.code;
  if (typeof code === 'string' && CODE.test(code)) out.code = code;
  else if (typeof code === 'number' && Number.isFinite(code)) out.code = String(code);
  if (typeof e.errno === 'number' && Number.isFinite(e.errno)) out.errno = e.errno;
  for (const key of ['syscall', 'schema', 'table', 'column', 'constraint', 'dataType', 'routine'] as const) {
    const v = e[key];
    if (typeof v === 'string' && NAME.test(v)) out[key] = v;
  }
  if (typeof out.code === 'string' && out.code.startsWith('SQLITE_')) Object.assign(out, sqliteNames(err));
  const frames = stackFrames(err);
  if (frames) out.frames = frames;
  const cause = e.cause ?? e.previous;
  if (cause !== undefined && depth < 3 && !seen.has(cause)) out.cause = describe(cause, depth + 1, seen);
  return out;
}

function typeName(err: object): string {
  const name = (err as { name?: unknown }).name;
  if (typeof name === 'string' && NAME.test(name)) return name;
  const ctor = (err as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === 'string' && NAME.test(ctor) ? ctor : 'object';
}

/** `UNIQUE constraint failed: subscriber.pattern, subscriber.plan` → kind and names (SQLite names only, never values). */
function sqliteNames(err: object): Pick<SafeErrorFields, 'constraintKind' | 'columns'> {
  const message = (err as { message?: unknown }).message;
  if (typeof message !== 'string') return {};
  const m = /\b(UNIQUE|NOT NULL|CHECK|FOREIGN KEY|PRIMARY KEY) constraint failed(?::\s*([^\n]*))?$/.exec(message);
  if (!m) return {};
  const out: Pick<SafeErrorFields, 'constraintKind' | 'columns'> = { constraintKind: m[1]!.toLowerCase().replace(' ', '-') };
  // A CHECK failure names its expression (`length(plan) < 10`): not a list of names, dropped.
  const names = m[2]?.split(/,\s*/) ?? [];
  if (names.length > 0 && names.every((n) => /^[A-Za-z_][\w]{0,63}\.[A-Za-z_][\w]{0,63}$/.test(n))) out.columns = names;
  return out;
}

/**
 * The `at …` lines of the stack, without the message the stack starts with. When the stack does
 * not start with `<name>: <message>` (a rewritten stack), there is no telling where the message
 * ends, so nothing is kept.
 */
function stackFrames(err: object): string | undefined {
  const { stack, message, name } = err as { stack?: unknown; message?: unknown; name?: unknown };
  if (typeof stack !== 'string') return undefined;
  const header = typeof message === 'string' && message !== '' ? `${String(name)}: ${message}` : String(name);
  if (!stack.startsWith(header)) return undefined;
  const frames = stack
    .slice(header.length)
    .split('\n')
    .filter((line) => /^\s+at [^\n]{1,300}$/.test(line) && !/['"`]/.test(line))
    .slice(0, MAX_FRAMES)
    .map((line) => line.trim());
  return frames.length > 0 ? frames.join('\n') : undefined;
}

/** A short, safe one-line summary: `UniqueConstraintViolationException 23505 subscriber_pattern_unique`. */
export function safeErrorSummary(err: unknown): string {
  const f = logSafeError(err);
  const parts = [f.type, f.code, f.constraint ?? f.columns?.join(','), f.table && !f.constraint ? f.table : undefined].filter(Boolean);
  return parts.join(' ');
}
