import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { WebSocket as Transport } from 'graphql-ws';
import { WebSocket } from 'ws';
import type { App } from '../shared/app.js';
import type { Context } from '../graphql/context.js';
import { type Loaders, type Services, createLoaders } from '../modules/index.js';
import type { ClientInfo } from '../shared/context.js';
import type { Authentication, Viewer } from '../shared/viewer.js';

/**
 * Milliseconds since this module loaded: small integers, so a connection's clock fields stay
 * unboxed (an epoch timestamp in a field is a separate heap number per object).
 */
const origin = Date.now();
export const clock = () => Date.now() - origin;

/**
 * One WebSocket connection: the transport graphql-ws's `makeServer` talks to, and what Orbit keeps
 * about the connection. One object per socket with prototype methods; the socket's listeners are
 * shared functions that find it by the socket, so an idle connection holds no closures of its own.
 */
export class SocketConnection implements Transport {
  /** graphql-ws's message handler, set through onMessage. */
  private handler: ((data: string) => Promise<void>) | null = null;
  /** Ends graphql-ws's side of the connection (its subscriptions); set when the socket opens. */
  closed: ((code?: number, reason?: string) => Promise<void>) | null = null;
  /** The upgrade request, kept until connection_init is handled (it may carry the refresh cookie). */
  request: IncomingMessage | null;
  auth: Authentication | null = null;
  readonly openedAt = clock();
  initialized = false;
  /** `clock()` time when the credential stops working; Infinity when it does not expire. */
  expiresAt = Number.POSITIVE_INFINITY;
  /** Answered the last heartbeat ping. */
  alive = true;

  constructor(
    readonly socket: WebSocket,
    request: IncomingMessage,
    private readonly onFailure: (conn: SocketConnection, error: unknown) => void,
    /** Past this many bytes queued on the socket (a client that stopped reading), onOverflow is called. */
    private readonly maxBuffered: number,
    private readonly onOverflow: (conn: SocketConnection) => void,
  ) {
    this.request = request;
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  /**
   * Queued on the socket in order; a close frame queued later goes out after it. A client that stops
   * reading fills the kernel's buffers and then this one: past `maxBuffered` bytes the connection is
   * given up (1013) rather than buffered without bound.
   */
  send(data: string): void {
    if (this.socket.readyState !== WebSocket.OPEN) return;
    this.socket.send(data);
    if (this.socket.bufferedAmount > this.maxBuffered) this.onOverflow(this);
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  onMessage(handler: (data: string) => Promise<void>): void {
    this.handler = handler;
  }

  /** Hands a message to graphql-ws; a subscribe message's promise settles when its subscription ends. */
  receive(data: string): void {
    this.handler?.(data).catch((error: unknown) => this.onFailure(this, error));
  }

  signIn(viewer: Viewer): void {
    this.auth = { viewer, error: null };
    this.expiresAt = viewer.expiresAt ? viewer.expiresAt.getTime() - origin : Number.POSITIVE_INFINITY;
  }
}

/** Subscriptions run no sign-in or rate-limited mutation: they need no address or cookies. */
const SOCKET_CLIENT: ClientInfo = Object.freeze({ ip: '', userAgent: null, refreshCookie: null });

/**
 * The context of one subscription. The viewer is the connection's (renewed by a ping with a new
 * token); loaders and the request id are made when first used, so an idle subscription holds
 * neither.
 */
export class SocketContext implements Context {
  private ownLoaders: Loaders | null = null;
  private ownRequestId: string | null = null;

  constructor(
    readonly app: App,
    readonly services: Services,
    private readonly conn: SocketConnection,
  ) {}

  get viewer(): Viewer | null {
    return this.conn.auth?.viewer ?? null;
  }

  get error() {
    return this.conn.auth?.error ?? null;
  }

  get client(): ClientInfo {
    return SOCKET_CLIENT;
  }

  get loaders(): Loaders {
    return (this.ownLoaders ??= createLoaders(this.app.db, this.viewer?.userId ?? null));
  }

  set loaders(loaders: Loaders) {
    this.ownLoaders = loaders;
  }

  renewLoaders(): void {
    this.ownLoaders = null;
  }

  get requestId(): string {
    return (this.ownRequestId ??= randomUUID());
  }
}
