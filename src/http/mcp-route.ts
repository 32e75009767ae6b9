import type { FastifyInstance, FastifyReply } from 'fastify';
import { authenticate } from '../modules/accounts/index.js';
import { loadMcpServer } from '../modules/assistant/index.js';
import type { Services } from '../modules/index.js';
import { checkAccess } from '../shared/access.js';
import type { App } from '../shared/app.js';
import { AppError } from '../shared/errors.js';
import { RateLimiter } from '../shared/rate-limit.js';

export const MCP_PATH = '/mcp';

/**
 * POST /mcp: the Model Context Protocol over Streamable HTTP, stateless (a server and transport per
 * request, JSON responses). Authenticated like /graphql (Bearer API key or access token) and limited
 * per user to MCP_REQUESTS_PER_MINUTE; GET and DELETE (sessions, server-sent streams) are not offered.
 */
export function registerMcp(fastify: FastifyInstance, app: App, services: Services, version: string): void {
  const limiter = new RateLimiter(app.db);
  fastify.post(MCP_PATH, async (request, reply) => {
    const auth = await authenticate(app, request.headers.authorization);
    let viewer;
    try {
      viewer = checkAccess({ ...auth, app }, [], 'query');
      // Every JSON-RPC message counts, so a batch is not a way around the limit.
      const messages = Array.isArray(request.body) ? Math.max(1, request.body.length) : 1;
      await limiter.hit(`mcp:${viewer.userId}`, { limit: app.config.MCP_REQUESTS_PER_MINUTE, seconds: 60 }, messages);
    } catch (error) {
      return refuse(reply, error);
    }
    // The SDK loads with the first MCP request: servers that never see one do not pay for it at start.
    const [{ mcpServerFor }, { StreamableHTTPServerTransport }] = await Promise.all([
      loadMcpServer(),
      import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
    ]);
    const server = mcpServerFor(viewer, services.actions, version);
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(request.raw, reply.raw, request.body);
  });
  const notOffered = async (_request: unknown, reply: FastifyReply) =>
    reply
      .code(405)
      .header('allow', 'POST')
      .send({
        jsonrpc: '2.0',
        error: { code: -32000, message: 'Method not allowed: this server is stateless; use POST' },
        id: null,
      });
  fastify.get(MCP_PATH, notOffered);
  fastify.delete(MCP_PATH, notOffered);
}

function refuse(reply: FastifyReply, error: unknown) {
  if (!(error instanceof AppError)) throw error;
  const code = String(error.extensions.code);
  const status = code === 'UNAUTHENTICATED' ? 401 : code === 'RATE_LIMITED' ? 429 : 403;
  if (status === 401) void reply.header('www-authenticate', 'Bearer');
  if (status === 429) void reply.header('retry-after', String(error.extensions.retryAfter));
  return reply
    .code(status)
    .send({ jsonrpc: '2.0', error: { code: -32001, message: error.message, data: { code } }, id: null });
}
