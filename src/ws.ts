import type { IncomingMessage, Server } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { type DocumentNode, GraphQLError, getOperationAST, parse, validate } from 'graphql';
import type { Context as WsContext } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import type { App } from './app.js';
import { type Context, buildContext } from './context.js';
import { type Authentication, type Viewer, authenticate, sessionViewer } from './modules/accounts/viewer.js';
import type { Services } from './modules/index.js';
import { ErrorCode } from './shared/errors.js';
import type { OrbitEvent } from './shared/pubsub.js';
import { createSharedSubscribe } from './shared/shared-execution.js';

export const MAX_SUBSCRIPTIONS = 50;
const MAX_MESSAGE = 1024 * 1024;
const FORBIDDEN = 4403;
/** One timer for every socket: expiry is checked each second, liveness every 12 s. */
const SWEEP_MS = 1000;
const HEARTBEAT_EVERY = 12;

type Extra = {
  socket: WebSocket;
  request: IncomingMessage;
};
/** What a connection keeps: who it is, and the timer that closes it when its token expires. */
interface Connection {
  auth: Authentication;
  ip: string;
  userAgent: string | null;
  /** ms since epoch when the credential stops working; Infinity when it does not expire. */
  expiresAt: number;
  /** Answered the last heartbeat ping. */
  alive: boolean;
}

/** Parsed and validated documents by query text: a thousand subscribers of one query share one AST. */
class DocumentCache {
  private readonly entries = new Map<string, { query: string; document: DocumentNode; errors: readonly GraphQLError[] }>();
  constructor(private readonly schema: GraphQLSchema, private readonly max = 500) {}

  get(query: string): { query: string; document: DocumentNode | null; errors: readonly GraphQLError[] } {
    const cached = this.entries.get(query);
    if (cached) return cached;
    let entry: { query: string; document: DocumentNode; errors: readonly GraphQLError[] } | undefined;
    try {
      const document = parse(query);
      // A flat copy: the text parsed out of a message may be a slice that keeps the whole message alive.
      entry = { query: (' ' + query).slice(1), document, errors: validate(this.schema, document) };
    } catch (error) {
      return { query, document: null, errors: [error as GraphQLError] };
    }
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(entry.query, entry);
    return entry;
  }
}

export interface WsOptions {
  path: string;
  refreshCookie: string;
  /** true when the upgrade request's Origin may connect. */
  originAllowed?: (origin: string | undefined, host: string | undefined) => boolean;
}

/**
 * graphql-ws on the HTTP server's own port and path. The viewer is resolved once in
 * connection_init; sockets close (4403) at token expiry and, on any replica, when their session is
 * revoked or their user signs out everywhere.
 */
export function attachWebSockets(server: Server, app: App, services: Services, schema: GraphQLSchema, opts: WsOptions) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE });
  const documents = new DocumentCache(schema);
  let onCount: ((delta: number) => void) | undefined;
  const sharedSubscribe = createSharedSubscribe((contextValue) => (contextValue as Context).viewer?.userId ?? null);
  const connections = new Map<WebSocket, Connection>();
  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== opts.path || (opts.originAllowed && !opts.originAllowed(request.headers.origin, request.headers.host))) {
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

  const expiry = (viewer: Viewer) => viewer.expiresAt?.getTime() ?? Number.POSITIVE_INFINITY;
  // A sweep instead of two timers per socket: at 10,000 connections the timers alone cost megabytes.
  let tick = 0;
  const sweeper = setInterval(() => {
    const now = Date.now();
    const heartbeat = ++tick % HEARTBEAT_EVERY === 0;
    for (const [socket, conn] of connections) {
      if (conn.expiresAt <= now) socket.close(FORBIDDEN, 'Token expired');
      else if (heartbeat) {
        if (!conn.alive) socket.terminate();
        else {
          conn.alive = false;
          socket.ping();
        }
      }
    }
  }, SWEEP_MS);
  sweeper.unref();

  const disposable = useServer<Record<string, unknown> | undefined, Extra>(
    {
      schema,
      subscribe: sharedSubscribe,
      async onConnect(ctx) {
        const auth = await authenticateConnection(ctx);
        if (!auth.viewer) return false;
        const request = ctx.extra.request;
        const conn: Connection = { auth, ip: request.socket.remoteAddress ?? '', userAgent: request.headers['user-agent'] ?? null, expiresAt: expiry(auth.viewer), alive: true };
        // Neither the upgrade request nor the credential is needed any more: keep neither alive.
        // (Assigned, not deleted: `delete` turns an object into a larger dictionary-mode object.)
        (ctx.extra as Partial<Extra>).request = undefined;
        if (ctx.connectionParams) (ctx.connectionParams as Record<string, unknown>).authorization = undefined;
        const socket = ctx.extra.socket;
        connections.set(socket, conn);
        socket.on('pong', () => (conn.alive = true));
        socket.once('close', () => connections.delete(socket));
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
        conn.expiresAt = expiry(auth.viewer);
      },
      onSubscribe(ctx, _id, payload) {
        // graphql-ws has registered this subscription already when the hook runs.
        if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS) {
          return [new GraphQLError(`At most ${MAX_SUBSCRIPTIONS} active subscriptions per connection`, { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
        }
        const { query, document, errors } = documents.get(payload.query);
        // graphql-ws keeps the payload for the subscription's life: let it hold the shared text.
        (payload as { query: string }).query = query;
        if (!document || errors.length) return errors.map((e) => new GraphQLError(e.message, { extensions: { code: ErrorCode.BAD_USER_INPUT } }));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Unknown operation', { extensions: { code: ErrorCode.BAD_USER_INPUT } })];
        const conn = connections.get(ctx.extra.socket);
        const auth = conn?.auth ?? { viewer: null, error: null };
        const contextValue: Context = buildContext(app, services, auth, { ip: conn?.ip ?? '', userAgent: conn?.userAgent ?? null, refreshCookie: null });
        onCount?.(1);
        return { schema, document, variableValues: payload.variables, operationName: payload.operationName, contextValue };
      },
      onComplete() {
        onCount?.(-1);
      },
    },
    wss,
    // Liveness is the sweeper's heartbeat above, not a timer per socket.
    0,
  );

  return {
    connectionCount: () => connections.size,
    /** Called with +1 when a subscription starts and -1 when it ends. */
    onSubscriptionCount(listener: (delta: number) => void) {
      onCount = listener;
    },
    /** Closes every socket with 1001 (going away) once in-flight deliveries are written. */
    async stop() {
      clearInterval(sweeper);
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
