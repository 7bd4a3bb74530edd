import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ValidationError } from '../shared/errors.ts';
import type { PageRenderer } from './views.ts';

/** Validate route input with zod; a mismatch is a ValidationError (400) naming each field. */
export function parseInput<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(result.error.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; '));
  return result.data;
}

export const idParam = z.object({ id: z.coerce.number().int().positive() });

/** Render one page inside the layout, with the user, a CSRF token for its forms and the flash message. */
export function sendPage(request: FastifyRequest, reply: FastifyReply, render: PageRenderer, name: string, title: string, view: Record<string, unknown>, status = 200): FastifyReply {
  const flash = request.session.flash ?? null;
  if (flash) request.session.flash = undefined;
  const html = render(name, {
    title,
    user: request.user ? { email: request.user.email, role: request.user.role, isAdmin: request.user.role === 'admin' } : null,
    csrf: reply.generateCsrf(),
    flash,
    nav: name,
    ...view,
  });
  return reply.status(status).type('text/html; charset=utf-8').send(html);
}

/** Redirect after a form post (303), leaving a one-time message for the next page. */
export function redirectWith(request: FastifyRequest, reply: FastifyReply, to: string, kind: 'ok' | 'error', text: string): FastifyReply {
  request.session.flash = { kind, text };
  return reply.redirect(to, 303);
}
