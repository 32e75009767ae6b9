import type { FastifyInstance } from 'fastify';
import type { Config } from './shared/config.js';

const ALLOW_HEADERS = 'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, x-request-id';

/**
 * CORS from CORS_ORIGINS (credentials only for listed origins) and security headers on every
 * response. JSON answers get a CSP that allows nothing; the Sandbox page (development) is left alone.
 */
export function registerHttpSecurity(fastify: FastifyInstance, config: Config): void {
  const allowed = new Set(config.corsOrigins);
  fastify.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin && allowed.has(origin)) {
      void reply.header('access-control-allow-origin', origin).header('access-control-allow-credentials', 'true').header('vary', 'Origin');
    }
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      if (origin && allowed.has(origin)) {
        void reply.header('access-control-allow-methods', 'GET, POST, OPTIONS').header('access-control-allow-headers', ALLOW_HEADERS).header('access-control-max-age', '600');
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
    if (!String(reply.getHeader('content-type') ?? '').startsWith('text/html')) {
      void reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    return payload;
  });
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
