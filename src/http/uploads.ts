import type { FastifyInstance } from 'fastify';
import { receiveUpload } from '../modules/uploads/index.js';
import type { App } from '../shared/app.js';

/**
 * PUT /uploads/<token>: the bytes of a staged upload. The token is the only credential (no cookies,
 * no Authorization): single use, valid 10 minutes. The body is not parsed: it streams into the
 * database as it arrives. A refusal closes the connection, so a client still sending stops.
 */
export function registerUploads(fastify: FastifyInstance, app: App): void {
  void fastify.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.put<{ Params: { token: string } }>('/uploads/:token', async (request, reply) => {
      const result = await receiveUpload(
        app,
        request.params.token,
        request.headers['content-type'],
        request.headers['content-length'],
        request.raw,
      );
      void reply.header('cache-control', 'no-store');
      if (result.status !== 200) {
        if (!request.raw.readableEnded) void reply.header('connection', 'close');
        return reply.code(result.status).send({ error: result.error });
      }
      const u = result.upload!;
      return reply.send({ id: u.id, status: u.status, size: u.size, durationSeconds: u.durationSeconds });
    });
  });
}
