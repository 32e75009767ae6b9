import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { captures, emailAttachments } from '../db/schema/index.js';
import { uploadStream } from '../modules/uploads/index.js';
import { authenticate, sessionViewer } from '../modules/accounts/index.js';
import { checkAccess } from '../shared/access.js';
import type { App } from '../shared/app.js';
import { isUuid } from '../shared/ids.js';

/**
 * GET /files/:id: an email attachment, with the same credentials as /graphql (Bearer access token
 * or API key, or the refresh cookie). Always a download (Content-Disposition: attachment,
 * nosniff); another user's, an unknown id or one too large to have been stored: 404.
 */
export function registerFiles(fastify: FastifyInstance, app: App, refreshCookie: string): void {
  /** The user asking, by the credentials /graphql takes (a Bearer token or API key, else the refresh cookie). */
  const downloader = async (request: FastifyRequest): Promise<string | null> => {
    const cookie = request.cookies[refreshCookie];
    const auth =
      request.headers.authorization || !cookie
        ? await authenticate(app, request.headers.authorization)
        : await sessionViewer(app, cookie);
    try {
      return checkAccess({ ...auth, app }, [], 'query').userId;
    } catch {
      return null;
    }
  };
  const unauthorized = (reply: FastifyReply) =>
    reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'Sign in to download files' });

  /** A voice capture's audio, streamed from the database; another user's or deleted audio: 404. */
  fastify.get<{ Params: { id: string } }>('/files/capture-audio/:id', async (request, reply) => {
    const userId = await downloader(request);
    if (!userId) return unauthorized(reply);
    const id = request.params.id;
    const [capture] = isUuid(id)
      ? await app.db
          .select({ uploadId: captures.uploadId, contentType: captures.audioContentType, size: captures.audioSize })
          .from(captures)
          .where(and(eq(captures.id, id), eq(captures.userId, userId)))
      : [];
    if (!capture?.uploadId) return reply.code(404).send({ error: 'Not found' });
    return reply
      .header('content-type', servedType(capture.contentType ?? 'application/octet-stream'))
      .header('content-length', String(capture.size))
      .header('content-security-policy', "sandbox; default-src 'none'; frame-ancestors 'none'")
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(uploadStream(app.db, capture.uploadId));
  });

  fastify.get<{ Params: { id: string } }>('/files/:id', async (request, reply) => {
    const userId = await downloader(request);
    if (!userId) return unauthorized(reply);
    const id = request.params.id;
    const [file] = isUuid(id)
      ? await app.db
          .select()
          .from(emailAttachments)
          .where(and(eq(emailAttachments.id, id), eq(emailAttachments.userId, userId)))
      : [];
    if (!file?.content) return reply.code(404).send({ error: 'Not found' });
    const name = file.filename.replace(/[\r\n"\\]/g, '_');
    return reply
      .header('content-type', servedType(file.contentType))
      .header('content-security-policy', "sandbox; default-src 'none'; frame-ancestors 'none'")
      .header(
        'content-disposition',
        `attachment; filename="${name.replace(/[^\x20-\x7e]/g, '_')}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      )
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .send(file.content);
  });
}

/**
 * The sender declares the type: types a browser would run or render with scripts (HTML, SVG, XML,
 * JavaScript and the like) are served as plain bytes; others keep their declared type.
 */
export function servedType(declared: string): string {
  const type = declared
    .replace(/[\r\n]/g, '')
    .trim()
    .toLowerCase();
  const essence = type.split(';')[0]!.trim();
  if (!/^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/.test(essence)) return 'application/octet-stream';
  const active =
    /(^text\/(html|xml|javascript|ecmascript|xsl)|^application\/(xhtml|xml|javascript|ecmascript|x-javascript|rss|atom|mathml)|^image\/svg|\+xml$|^multipart\/|^text\/cache-manifest)/;
  return active.test(essence) ? 'application/octet-stream' : type;
}
