import type { IncomingMessage, Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { GraphQLError } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { App } from './app.js';
import { type Context, buildContext } from './context.js';
import { type Authentication, type Viewer, authenticate, sessionViewer } from './modules/accounts/viewer.js';
import type { Services } from './modules/index.js';
import { ErrorCode } from './shared/errors.js';
import type { OrbitEvent } from './shared/pubsub.js';

export const MAX_SUBSCRIPTIONS = 50;
const MAX_MESSAGE = 1024 * 1024;
const FORBIDDEN = 4403;

type Extra = {
  socket: WebSocket;
  request: IncomingMessage;
};
/** What a connection keeps: who it is, and the timer that closes it when its token expires. */
interface Connection {
  auth: Authentication;
  expiry?: NodeJS.Timeout;
}

export interface WsOptions {
  path: string;
  refreshCookie: string;
  /** true when the upgrade request's Origin may connect. */
  originAllowed?: (origin: string | undefined) => boolean;
}

/**
 * graphql-ws on the HTTP server's own port and path. The viewer is resolved once in
 * connection_init; sockets close (4403) at token expiry and, on any replica, when their session is
 * revoked or their user signs out everywhere.
 */
export function attachWebSockets(server: Server, app: App, services: Services, schema: GraphQLSchema, opts: WsOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const connections = new Map<WebSocket, Connection>();
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== opts.path || (opts.originAllowed && !opts.originAllowed(request.headers.origin))) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  });

  const close = (match: (c: Connection) => boolean, reason: string) => {
    for (const [socket, conn] of connections) if (match(conn)) socket.close(FORBIDDEN, reason);
  };
  const offs = [
    app.events.on('sessions.revoked', (e: OrbitEvent) => {
      if (e.topic === 'sessions.revoked') close((c) => !!c.auth.viewer?.sessionId && e.ids.includes(c.auth.viewer.sessionId), 'Session revoked');
    }),
    app.events.on('user.signout', (e: OrbitEvent) => {
      if (e.topic === 'user.signout') close((c) => c.auth.viewer?.userId === e.userId, 'Signed out');
    }),
    app.events.on('apikey.revoked', (e: OrbitEvent) => {
      if (e.topic === 'apikey.revoked') close((c) => c.auth.viewer?.apiKeyId === e.id, 'API key revoked');
    }),
  ];

  const authenticateConnection = async (ctx: WsContext<Record<string, unknown> | undefined, Extra>): Promise<Authentication> => {
    const header = ctx.connectionParams?.authorization;
    if (typeof header === 'string' && header) return authenticate(app, header);
    const cookie = parseCookie(ctx.extra.request.headers.cookie, opts.refreshCookie);
    return cookie ? sessionViewer(app, cookie) : { viewer: null, error: null };
  };

  const arm = (socket: WebSocket, conn: Connection, viewer: Viewer) => {
    clearTimeout(conn.expiry);
    if (!viewer.expiresAt) return;
    conn.expiry = setTimeout(() => socket.close(FORBIDDEN, 'Token expired'), Math.max(0, viewer.expiresAt.getTime() - Date.now()));
    conn.expiry.unref();
  };

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      async onConnect(ctx) {
        const auth = await authenticateConnection(ctx);
        if (!auth.viewer) return false;
        const conn: Connection = { auth };
        connections.set(ctx.extra.socket, conn);
        ctx.extra.socket.once('close', () => {
          clearTimeout(conn.expiry);
          connections.delete(ctx.extra.socket);
        });
        arm(ctx.extra.socket, conn, auth.viewer);
        return true;
      },
      // A client renews its credential by sending a ping with { authorization: "Bearer <new token>" }.
      async onPing(ctx, payload) {
        const header = payload?.authorization;
        const conn = connections.get(ctx.extra.socket);
        if (typeof header !== 'string' || !conn) return;
        const auth = await authenticate(app, header);
        if (!auth.viewer || auth.viewer.userId !== conn.auth.viewer?.userId) {
          ctx.extra.socket.close(FORBIDDEN, 'Invalid credentials');
          return;
        }
        conn.auth = auth;
        arm(ctx.extra.socket, conn, auth.viewer);
      },
      onSubscribe(ctx) {
        // graphql-ws has registered this subscription already when the hook runs.
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS) {
          return [new GraphQLError(`At most ${MAX_SUBSCRIPTIONS} active subscriptions per connection`, { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
        }
      },
      context(ctx): Context {
        const auth = connections.get(ctx.extra.socket)?.auth ?? { viewer: null, error: null };
        const request = ctx.extra.request;
        return buildContext(app, services, auth, { ip: request.socket.remoteAddress ?? '', userAgent: request.headers['user-agent'] ?? null, refreshCookie: null });
      },
    },
    wss,
  );

  return {
    connectionCount: () => connections.size,
    /** Closes every socket with 1001 (going away) once in-flight deliveries are written. */
    async stop() {
      for (const off of offs) off();
      for (const socket of wss.clients) socket.close(1001, 'Server shutting down');
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

function parseCookie(header: string | undefined, name: string): string | null {
  for (const part of header?.split(';') ?? []) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return null;
}
