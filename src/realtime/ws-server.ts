import type { IncomingMessage, Server } from 'node:http';
import { type ExecutionResult, GraphQLError, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { isUnavailable } from '../db/deadline.js';
import type { App } from '../shared/app.js';
import { authenticate, sessionViewer } from '../modules/accounts/index.js';
import type { Authentication } from '../shared/viewer.js';
import type { Services } from '../modules/index.js';
import { ErrorCode } from '../shared/errors.js';
import { createFormatError, isUnexpected } from '../shared/format-error.js';
import { type BusEvent, SubscriberOverflow } from '../shared/event-bus.js';
import { operationLimits } from '../shared/limits.js';
import { createSharedSubscribe } from '../shared/shared-execution.js';
import type { TrustedLookup } from '../graphql/trusted-documents.js';
import { SocketConnection, SocketContext, clock } from './connection.js';
import { OperationGate } from './operation-gate.js';
import { recheckCredentials } from './credential-check.js';

export const MAX_SUBSCRIPTIONS = 50;
const MAX_MESSAGE = 1024 * 1024;
const FORBIDDEN = 4403;
/** "Try again later": the client read too slowly (its socket or a subscription's queue overflowed). */
const TRY_AGAIN_LATER = 1013;
/** Missing or invalid credentials at connection_init: clients such as graphql-ws stop retrying on it. */
const UNAUTHORIZED = 4401;
/** One timer for every socket: init timeout and expiry are checked twice a second, liveness every 12 s. */
const SWEEP_MS = 500;
const INIT_TIMEOUT_MS = 3000;
const HEARTBEAT_MS = 12_000;
/** How long shutdown waits for deliveries under way before closing sockets. */
const DRAIN_MS = 5000;

export interface WsOptions {
  path: string;
  refreshCookie: string;
  /** true when the upgrade request's Origin may connect. */
  originAllowed?: (origin: string | undefined, host: string | undefined) => boolean;
  /** PERSISTED_QUERIES=only: the manifest lookup, applied to subscriptions as to HTTP. */
  trusted?: TrustedLookup | null;
}

/**
 * graphql-ws (graphql-transport-ws) on the HTTP server's own port and path, through graphql-ws's
 * `makeServer` bound to `ws` here rather than through its `useServer` adapter: that adapter keeps a
 * dozen closures and a timer per socket, which at 10,000 sockets is most of their memory. The viewer
 * is resolved once in connection_init; sockets close (4403) at token expiry and, on any replica,
 * when their session is revoked or their user signs out everywhere.
 */
export function attachWebSockets(server: Server, app: App, services: Services, schema: GraphQLSchema, opts: WsOptions) {
  const { config, logger } = app;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE, handleProtocols, clientTracking: false });
  const gate = new OperationGate(schema, {
    limits: operationLimits(config),
    introspection: !config.production,
    trusted: opts.trusted ?? null,
  });
  const sharedSubscribe = createSharedSubscribe(
    (contextValue) => (contextValue as SocketContext).viewer?.userId ?? null,
  );
  const format = createFormatError(config.NODE_ENV !== 'development');
  // As Apollo's hideSchemaDetailsFromClientErrors: no "Did you mean" that spells out the schema.
  const hideSuggestions = config.NODE_ENV !== 'development';
  const connections = new Map<WebSocket, SocketConnection>();
  let onCount: ((delta: number) => void) | undefined;

  /** Errors leave as they do over HTTP: contract codes, nothing internal, unexpected ones logged with an id. */
  const formatErrors = (errors: readonly GraphQLError[], context: SocketContext | undefined): GraphQLFormattedError[] =>
    errors.map((error) => {
      let formatted = format(error.toJSON(), error);
      if (hideSuggestions)
        formatted = { ...formatted, message: formatted.message.replace(/ ?Did you mean(.+?)\?$/, '') };
      if (formatted.extensions?.code === ErrorCode.INTERNAL_SERVER_ERROR) {
        const requestId = context?.requestId;
        if (isUnexpected(error)) logger.error({ err: error, requestId }, 'unexpected error in a subscription');
        return { ...formatted, extensions: { ...formatted.extensions, requestId } };
      }
      return formatted;
    });

  const authenticateConnection = (
    conn: SocketConnection,
    params: Readonly<Record<string, unknown>> | undefined,
  ): Promise<Authentication> => {
    const header = params?.authorization;
    if (typeof header === 'string' && header) return authenticate(app, header);
    const cookie = parseCookie(conn.request?.headers.cookie, opts.refreshCookie);
    return cookie ? sessionViewer(app, cookie) : Promise.resolve({ viewer: null, error: null });
  };

  const protocol = makeServer<Record<string, unknown> | undefined, SocketConnection>({
    schema,
    subscribe: sharedSubscribe,
    // The sweeper closes sockets that send no connection_init (4408): no timer per socket.
    connectionInitWaitTimeout: 0,
    async onConnect(ctx) {
      const conn = ctx.extra;
      conn.initialized = true;
      const auth = await authenticateConnection(conn, ctx.connectionParams);
      // Neither the upgrade request nor the credential is needed any more: keep neither alive.
      conn.request = null;
      (ctx as { connectionParams?: unknown }).connectionParams = undefined;
      if (!auth.viewer) {
        // 4401, not graphql-ws's default 4403: a retrying client would only be refused again.
        conn.close(UNAUTHORIZED, 'Unauthorized');
        return false;
      }
      conn.signIn(auth.viewer);
      return true;
    },
    // A client renews its credential by sending a ping with { authorization: "Bearer <new token>" }.
    async onPing(ctx, payload) {
      const header = payload?.authorization;
      const conn = ctx.extra;
      if (typeof header !== 'string' || !conn.auth?.viewer) return;
      const auth = await authenticate(app, header);
      if (!auth.viewer || auth.viewer.userId !== conn.auth.viewer.userId) {
        conn.close(FORBIDDEN, 'Invalid credentials');
        return;
      }
      conn.signIn(auth.viewer);
    },
    onSubscribe(ctx, _id, payload) {
      // graphql-ws has registered this subscription already when the hook runs.
      if (Object.keys(ctx.subscriptions).length > MAX_SUBSCRIPTIONS) {
        return [
          new GraphQLError(`At most ${MAX_SUBSCRIPTIONS} active subscriptions per connection`, {
            extensions: { code: ErrorCode.BAD_USER_INPUT },
          }),
        ];
      }
      const prepared = gate.prepare(payload);
      if (Array.isArray(prepared)) return prepared;
      // graphql-ws keeps the payload for the subscription's life: let it hold the shared text.
      (payload as { query: string }).query = prepared.query;
      onCount?.(1);
      const contextValue = new SocketContext(app, services, ctx.extra);
      return {
        schema,
        document: prepared.document,
        variableValues: payload.variables,
        operationName: payload.operationName,
        contextValue,
      };
    },
    onNext(_ctx, _id, _payload, args, result: ExecutionResult) {
      if (result.errors?.length)
        return { ...result, errors: formatErrors(result.errors, args.contextValue as SocketContext) };
    },
    onError(ctx, _id, _payload, errors) {
      // After the error message has gone out (it is sent once this hook returns).
      if (errors.some((e) => e.originalError instanceof SubscriberOverflow))
        setImmediate(() => giveUp(ctx.extra, 'Subscription queue full'));
      return formatErrors(errors, undefined);
    },
    onComplete() {
      onCount?.(-1);
    },
  });

  // Shared listeners: `this` is the socket, so no socket gets closures of its own.
  function onSocketMessage(this: WebSocket, data: RawData) {
    connections.get(this)?.receive((data as Buffer).toString('utf8'));
  }
  function onSocketClose(this: WebSocket, code: number, reason: Buffer) {
    const conn = connections.get(this);
    if (conn) end(conn, code, String(reason));
  }
  /** Forgets a connection and ends graphql-ws's side of it (its subscriptions). */
  function end(conn: SocketConnection, code: number, reason: string) {
    if (!connections.delete(conn.socket)) return;
    conn
      .closed?.(code, reason)
      .catch((error: unknown) => logger.error({ err: error }, 'closing a subscription failed'));
  }
  function onSocketError(this: WebSocket, error: Error) {
    // ws has closed the socket already (1009 for a message over the limit, 1002 for a bad frame).
    logger.debug({ err: error }, 'websocket error');
  }
  function onSocketPong(this: WebSocket) {
    const conn = connections.get(this);
    if (conn) conn.alive = true;
  }
  const onFailure = (conn: SocketConnection, error: unknown) => {
    // The database could not be reached (checking the credential at connection_init, say): the
    // client may retry later, as an HTTP request would after a 503.
    if (isUnavailable(error)) {
      logger.warn({ err: error }, 'websocket: the database is unavailable');
      conn.close(TRY_AGAIN_LATER, 'The database cannot be reached now; retry later');
      return;
    }
    logger.error({ err: error }, 'websocket message handling failed');
    conn.close(CloseCode.InternalServerError, 'Internal server error');
  };
  /** Closes with 1013 and ends the connection's subscriptions now, without waiting for a client that does not read. */
  const giveUp = (conn: SocketConnection, reason: string) => {
    if (!connections.has(conn.socket)) return;
    logger.warn({ reason, buffered: conn.socket.bufferedAmount }, 'websocket: a slow client is disconnected');
    conn.socket.close(TRY_AGAIN_LATER, reason);
    end(conn, TRY_AGAIN_LATER, reason);
  };
  const overflow = (conn: SocketConnection) => giveUp(conn, 'Send buffer full');
  const open = (socket: WebSocket, request: IncomingMessage) => {
    const conn = new SocketConnection(socket, request, onFailure, config.WS_SEND_BUFFER_BYTES, overflow);
    connections.set(socket, conn);
    socket.on('message', onSocketMessage);
    socket.on('close', onSocketClose);
    socket.on('error', onSocketError);
    socket.on('pong', onSocketPong);
    conn.closed = protocol.opened(conn, conn);
  };

  server.on('upgrade', (request, socket, head) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (
      url.pathname !== opts.path ||
      (opts.originAllowed && !opts.originAllowed(request.headers.origin, request.headers.host))
    ) {
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => open(ws, request));
  });

  const closeWhere = (match: (conn: SocketConnection) => boolean, reason: string) => {
    for (const [socket, conn] of connections) if (match(conn)) socket.close(FORBIDDEN, reason);
  };
  const offs = [
    app.bus.on('sessions.revoked', (e: BusEvent) => {
      if (e.topic === 'sessions.revoked')
        closeWhere((c) => !!c.auth?.viewer?.sessionId && e.ids.includes(c.auth.viewer.sessionId), 'Session revoked');
    }),
    app.bus.on('user.signout', (e: BusEvent) => {
      if (e.topic === 'user.signout') closeWhere((c) => c.auth?.viewer?.userId === e.userId, 'Signed out');
    }),
    app.bus.on('apikey.revoked', (e: BusEvent) => {
      if (e.topic === 'apikey.revoked') closeWhere((c) => c.auth?.viewer?.apiKeyId === e.id, 'API key revoked');
    }),
  ];

  // After LISTEN is re-established, every open socket's credential is checked again in one statement:
  // a revocation whose event is past the outbox's retention still closes its sockets.
  offs.push(
    app.bus.onRelisten(
      () => void recheckCredentials(app, connections.values(), (c) => c.close(FORBIDDEN, 'Credential no longer valid')),
    ),
  );

  let lastHeartbeat = clock();
  const sweeper = setInterval(() => {
    const now = clock();
    const heartbeat = now - lastHeartbeat >= HEARTBEAT_MS;
    if (heartbeat) lastHeartbeat = now;
    for (const [socket, conn] of connections) {
      if (!conn.initialized) {
        if (now - conn.openedAt >= INIT_TIMEOUT_MS)
          socket.close(CloseCode.ConnectionInitialisationTimeout, 'Connection initialisation timeout');
      } else if (conn.expiresAt <= now) socket.close(FORBIDDEN, 'Token expired');
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

  return {
    connectionCount: () => connections.size,
    /** Called with +1 when a subscription starts and -1 when it ends. */
    onSubscriptionCount(listener: (delta: number) => void) {
      onCount = listener;
    },
    /** Lets deliveries under way reach their sockets, then closes every socket with 1001 (going away). */
    async stop() {
      clearInterval(sweeper);
      for (const off of offs) off();
      await app.bus.drained(DRAIN_MS);
      for (const socket of connections.keys()) socket.close(1001, 'Server shutting down');
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
