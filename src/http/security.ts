import type { FastifyInstance } from 'fastify';
import type { Config } from '../shared/config.js';

const ALLOW_HEADERS = 'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, x-request-id';

/**
 * CORS from CORS_ORIGINS (credentials only for listed origins) and security headers on every
 * response. JSON answers get a CSP that allows nothing; the Sandbox page (development) is left alone.
 */
export function registerHttpSecurity(fastify: FastifyInstance, config: Config): void {
  const allowedOrigin = corsOriginCheck(config);
  fastify.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    const allowed = !!origin && allowedOrigin(origin);
    if (allowed) {
      void reply
        .header('access-control-allow-origin', origin)
        .header('access-control-allow-credentials', 'true')
        .header('vary', 'Origin');
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      if (allowed) {
        void reply
          .header(
            'access-control-allow-methods',
            request.url.startsWith('/uploads/') ? 'PUT, OPTIONS' : 'GET, POST, OPTIONS',
          )
          .header('access-control-allow-headers', ALLOW_HEADERS)
          .header('access-control-max-age', '600');
      }
      return reply.code(204).send();
    }
  });
  fastify.addHook('onSend', async (_request, reply, payload) => {
    void reply
      .header('x-content-type-options', 'nosniff')
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer')
      .header('cross-origin-opener-policy', 'same-origin')
      .header('cross-origin-resource-policy', 'same-site');
    if (config.production) void reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
    // A route that set its own policy (GET /files: a sandbox) keeps it.
    if (
      !reply.hasHeader('content-security-policy') &&
      !String(reply.getHeader('content-type') ?? '').startsWith('text/html')
    ) {
      void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    return payload;
  });
}

/** Local development servers (a web app on http://localhost:5173, say). */
const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/**
 * The origins a browser may call the API from (with credentials): CORS_ORIGINS when set; without it,
 * in development, any http://localhost:* or http://127.0.0.1:* origin; in production none.
 */
export function corsOriginCheck(config: Config): (origin: string) => boolean {
  const allowed = new Set(config.corsOrigins);
  if (allowed.size > 0 || config.production) return (origin) => allowed.has(origin);
  return (origin) => LOCAL_ORIGIN.test(origin);
}

/**
 * WebSocket upgrades: clients that send no Origin (servers, CLIs) are let in; a browser's origin must
 * be listed in CORS_ORIGINS or be the server's own. Without CORS_ORIGINS, development lets any origin in.
 */
export function websocketOriginCheck(config: Config) {
  const allowed = new Set(config.corsOrigins);
  return (origin: string | undefined, host: string | undefined): boolean => {
    if (!origin) return true;
    if (allowed.has(origin)) return true;
    try {
      if (host && new URL(origin).host === host) return true;
    } catch {
      return false;
    }
    return !config.production && allowed.size === 0;
  };
}
