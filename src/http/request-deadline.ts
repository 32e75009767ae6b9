import type { FastifyInstance } from 'fastify';

/**
 * How long a client has to send a request (REQUEST_TIMEOUT_MS, headers and body: a slow sender cannot
 * hold a socket) and an upload's body (UPLOAD_TIMEOUT_MS: 25 MB in 10 minutes is 42 KB/s, a slow
 * mobile link). Node's requestTimeout is one figure for the whole server: it is the uploads', and
 * every other request gets its deadline here; a request still arriving then has its connection closed.
 */
export function enforceRequestDeadlines(fastify: FastifyInstance, requestMs: number, uploadMs: number): void {
  fastify.server.requestTimeout = Math.max(requestMs, uploadMs);
  fastify.server.headersTimeout = requestMs;
  fastify.addHook('onRequest', (request, reply, done) => {
    if (!request.url.startsWith('/uploads/')) {
      const timer = setTimeout(() => {
        if (!request.raw.complete) request.raw.socket.destroy();
      }, requestMs);
      timer.unref();
      reply.raw.once('close', () => clearTimeout(timer));
    }
    done();
  });
}
