import type { Rng } from './options.ts';
import { sleep, type Timeline } from './util.ts';

/** The answer the harness approves with: it replaces the placeholder and cites no code. */
export const APPROVED_TEXT = 'Hello,\n\nThank you for the question. Yes, that is supported when the documentation shows a separate service.\n\nKind regards,\nThe chaos consultant\n';

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * A consultant using the JSON review API: logs in (session cookie + CSRF token, like a
 * browser), lists pending drafts and approves each with an explicit `bodyText`. Every network
 * error (web process killed) or lost session is met by waiting and logging in again.
 */
export class Reviewer {
  stopped = false;
  readonly approved = new Map<number, number>();
  readonly errors = new Map<string, number>();
  logins = 0;
  private cookie = '';
  private csrf = '';

  constructor(private readonly baseUrl: string, private readonly email: string, private readonly password: string, private readonly timeline: Timeline, private readonly rng: Rng) {}

  private count(kind: string): void {
    this.errors.set(kind, (this.errors.get(kind) ?? 0) + 1);
  }

  private async request(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      body,
      redirect: 'manual',
      headers: { ...(this.cookie ? { cookie: this.cookie } : {}), ...headers },
      signal: AbortSignal.timeout(30_000),
    });
    const set = res.headers.getSetCookie();
    for (const c of set) {
      const [pair] = c.split(';');
      const name = pair.split('=')[0];
      const rest = this.cookie.split('; ').filter((p) => p && !p.startsWith(`${name}=`));
      this.cookie = [...rest, pair].join('; ');
    }
    return res;
  }

  async login(): Promise<void> {
    this.cookie = '';
    const page = await this.request('GET', '/login');
    const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
    if (!token) throw new HttpError(page.status, 'no CSRF token on /login');
    const form = new URLSearchParams({ email: this.email, password: this.password, _csrf: token }).toString();
    const res = await this.request('POST', '/login', form, { 'content-type': 'application/x-www-form-urlencoded' });
    await res.arrayBuffer();
    if (res.status !== 303) throw new HttpError(res.status, `login refused (${res.status})`);
    const me = await this.request('GET', '/api/me', undefined, { accept: 'application/json' });
    if (me.status !== 200) throw new HttpError(me.status, `/api/me ${me.status}`);
    this.csrf = ((await me.json()) as { csrfToken: string }).csrfToken;
    this.logins += 1;
  }

  private async pending(): Promise<number[]> {
    const res = await this.request('GET', '/api/drafts?state=pending&limit=1000', undefined, { accept: 'application/json' });
    if (res.status !== 200) throw new HttpError(res.status, `list ${res.status}`);
    return ((await res.json()) as { drafts: Array<{ id: number }> }).drafts.map((d) => d.id);
  }

  private async approve(id: number): Promise<void> {
    const res = await this.request('POST', `/api/drafts/${id}/approve`, JSON.stringify({ bodyText: APPROVED_TEXT }), {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-csrf-token': this.csrf,
    });
    const text = await res.text();
    if (res.status !== 200) throw new HttpError(res.status, `approve ${id}: ${res.status}`);
    this.approved.set(id, (JSON.parse(text) as { outboxId: number }).outboxId);
  }

  /** One pass: approve every pending draft, in random order, `lanes` at a time (several consultants). */
  async pass(lanes = 3): Promise<number> {
    if (!this.csrf) await this.login();
    const ids = this.rng.shuffle(await this.pending());
    let done = 0;
    const lane = async () => {
      for (let id = ids.shift(); id !== undefined && !this.stopped; id = ids.shift()) {
        try {
          await this.approve(id);
          done += 1;
        } catch (err) {
          if (err instanceof HttpError && err.status === 409) this.count('409 conflict');
          else throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: lanes }, lane));
    return done;
  }

  /** Approve until stopped; network errors and lost sessions are retried. */
  async run(intervalMs = 1_500): Promise<void> {
    while (!this.stopped) {
      try {
        await this.pass();
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 0;
        this.count(status ? `http ${status}` : `network ${(err as Error & { cause?: { code?: string } }).cause?.code ?? (err as Error).name}`);
        if (status === 401 || status === 403 || status === 0) this.csrf = '';
      }
      await sleep(intervalMs);
    }
  }
}
