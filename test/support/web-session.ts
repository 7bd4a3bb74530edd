import type { EntityManager } from '@mikro-orm/core';
import { addUser } from '../../src/review/users.ts';

/** A logged-in browser-like session: its cookie, and the CSRF token the JSON API wants on writes. */
export interface WebSession {
  cookie: string;
  csrf: string;
}

const cookieOf = (res: Response) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

/** Logs in through the real form (GET /login for its CSRF token, POST /login), then reads /api/me for the API's token. */
export async function logIn(baseUrl: string, email: string, password: string): Promise<WebSession> {
  const form = await fetch(`${baseUrl}/login`);
  const token = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1];
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form) },
    body: new URLSearchParams({ email, password, _csrf: token }),
  });
  const cookie = cookieOf(res);
  const me = (await (await fetch(`${baseUrl}/api/me`, { headers: { cookie } })).json()) as { csrfToken: string };
  return { cookie, csrf: me.csrfToken };
}

/**
 * A consultant created on first use and logged in once: `api` calls the JSON API (status and
 * parsed body), `page` fetches an HTML page.
 */
export function consultantClient(url: () => string | null, em: () => EntityManager, user: { email: string; password: string }) {
  let session: WebSession | null = null;
  const baseUrl = () => url() ?? 'http://not-listening.invalid';
  const login = async () => {
    await addUser(em(), { email: user.email, role: 'consultant', password: user.password });
    return logIn(baseUrl(), user.email, user.password);
  };
  const current = async () => (session ??= await login());
  return {
    session: current,
    async api(path: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
      const s = await current();
      const res = await fetch(`${baseUrl()}${path}`, { ...init, headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf, ...init?.headers } });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async page(path: string): Promise<string> {
      const s = await current();
      return (await fetch(`${baseUrl()}${path}`, { headers: { cookie: s.cookie, accept: 'text/html' } })).text();
    },
  };
}
