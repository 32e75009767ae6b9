import { randomUUID } from 'node:crypto';
import type { App } from './app.js';
import type { QueryStats } from './db/client.js';
import { type Authentication, authenticate } from './modules/accounts/viewer.js';
import { AppError, ErrorCode } from './shared/errors.js';
import { type Loaders, type Services, createLoaders, createServices } from './modules/index.js';

/** Where the request came from, and how to answer with cookies (HTTP only). */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
  refreshCookie: string | null;
  setRefreshCookie?: (token: string, expiresAt: Date) => void;
  clearRefreshCookie?: () => void;
  /** Aborted when the client goes away before the answer (HTTP only). */
  signal?: AbortSignal;
}

export interface Context extends Authentication {
  app: App;
  services: Services;
  loaders: Loaders;
  client: ClientInfo;
  requestId: string;
  /** The statements this operation has run (HTTP operations). */
  stats?: QueryStats;
}

/**
 * The context of one HTTP operation. Its app, services and loaders run their statements through a
 * database scoped to the operation, which counts them: authentication included.
 */
export async function createContext(app: App, authorization: string | undefined | null, client: ClientInfo, requestId: string = randomUUID()): Promise<Context> {
  const stats: QueryStats = { statements: 0 };
  const scoped: App = { ...app, db: app.database.scoped(stats) };
  let auth: Authentication;
  try {
    auth = await authenticate(scoped, authorization);
  } catch (cause) {
    // The database failed while checking credentials: the operation fails as an internal error,
    // through the normal error path (with the request id), if it needs a viewer at all.
    app.logger.error({ err: cause, requestId }, 'authentication failed unexpectedly');
    auth = { viewer: null, error: new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error') };
  }
  return { ...auth, app: scoped, services: createServices(scoped), loaders: createLoaders(scoped.db, auth.viewer?.userId ?? null), client, requestId, stats };
}

/** The viewer of an operation guarded by @Authorized (the auth checker has ensured it is there). */
export function viewerOf(ctx: Context) {
  if (!ctx.viewer) throw ctx.error ?? new Error('viewerOf used without @Authorized');
  return ctx.viewer;
}

export function clientMeta(ctx: Context) {
  return { ip: ctx.client.ip, userAgent: ctx.client.userAgent };
}

/** New DataLoaders for the next delivered subscription event: no subscriber sees stale rows. */
export function refreshLoaders(ctx: Context): void {
  ctx.loaders = createLoaders(ctx.app.db, ctx.viewer?.userId ?? null);
}
