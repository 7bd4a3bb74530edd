import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { appendAudit } from '../../audit/audit-chain-store.ts';
import { AttachmentRefused, openAttachment } from '../../attachments/access.ts';
import { contentDisposition } from '../../attachments/serving-policy.ts';
import { AuditEntry } from '../../review/audit.entity.ts';
import { idParam, parseInput } from '../page.ts';
import type { WebContext } from '../context.ts';

/**
 * Attachment downloads (a session is needed, like every route; each download and each refusal
 * is audited). `/attachments/:id` answers as the serving policy says: raster images inline with
 * their sniffed type, PDFs inline under CSP `sandbox` (the browser's viewer, no script of our
 * origin), everything else — HTML and SVG included — as an `application/octet-stream` download.
 * `/attachments/:id/download` is always a download. Infected and not-scanned attachments are
 * refused (409) with the reason.
 */
export async function registerAttachmentRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  app.get('/attachments/:id', async (request, reply) => serve(ctx, request, reply, false));
  app.get('/attachments/:id/download', async (request, reply) => serve(ctx, request, reply, true));
}

async function serve(ctx: WebContext, request: FastifyRequest, reply: FastifyReply, forceDownload: boolean): Promise<FastifyReply> {
  const { id } = parseInput(idParam, request.params);
  const em = ctx.deps.orm.em.fork();
  const actor = request.user!.email;
  try {
    const { row, decision, content } = await openAttachment(em, id);
    const mode = forceDownload ? 'download' : decision.mode;
    await appendAudit(em, { actor, action: 'attachment.download', caseId: row.caseId, details: { attachmentId: row.id, mode, sha256: row.sha256 ?? null } });
    await em.flush();
    const headers = forceDownload
      ? { ...decision.headers, 'Content-Type': 'application/octet-stream', 'Content-Disposition': contentDisposition('attachment', row.name), 'Content-Security-Policy': "default-src 'none'; sandbox" }
      : decision.headers;
    return reply.headers(headers).send(content);
  } catch (err) {
    if (err instanceof AttachmentRefused) {
      const refused = em.fork();
      await appendAudit(refused, { actor, action: 'attachment.refused', details: { attachmentId: id, refusal: err.refusal } });
      await refused.flush();
    }
    throw err;
  }
}
