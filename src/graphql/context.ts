import { randomUUID } from 'node:crypto';
import type { QueryStats } from '../db/client.js';
import { type Loaders, type Services, createLoaders, createServices } from '../modules/index.js';
import { authenticate } from '../modules/accounts/index.js';
import type { App } from '../shared/app.js';
import type { ClientInfo, RequestContext } from '../shared/context.js';
import { AppError, ErrorCode, ServiceUnavailableError } from '../shared/errors.js';
import { isUnavailable } from '../db/deadline.js';
import type { Authentication } from '../shared/viewer.js';

/** The context the composition root builds: every module's services and loaders. */
export type Context = RequestContext<Services, Loaders>;

/** A context for `app` and an authentication: its services and loaders, built for its viewer. */
export function contextFor(
  app: App,
  auth: Authentication,
  client: ClientInfo,
  requestId: string,
  stats?: QueryStats,
): Context {
  const context: Context = {
    ...auth,
    app,
    services: createServices(app),
    loaders: createLoaders(app.db, auth.viewer?.userId ?? null),
    client,
    requestId,
    stats,
    renewLoaders() {
      context.loaders = createLoaders(app.db, context.viewer?.userId ?? null);
    },
  };
  return context;
}

/**
 * The context of one HTTP operation. Its app, services and loaders run their statements through a
 * database scoped to the operation, which counts them: authentication included.
 */
export async function createContext(
  app: App,
  authorization: string | undefined | null,
  client: ClientInfo,
  requestId: string = randomUUID(),
): Promise<Context> {
  const stats: QueryStats = { statements: 0 };
  const scoped: App = { ...app, db: app.database.scoped(stats) };
  let auth: Authentication;
  try {
    auth = await authenticate(scoped, authorization);
  } catch (cause) {
    // The database failed while checking credentials: the operation fails, through the normal error
    // path (with the request id), if it needs a viewer at all; unreachable is SERVICE_UNAVAILABLE.
    if (isUnavailable(cause)) {
      app.logger.warn({ err: cause, requestId }, 'authentication: the database is unavailable');
      auth = { viewer: null, error: new ServiceUnavailableError() };
    } else {
      app.logger.error({ err: cause, requestId }, 'authentication failed unexpectedly');
      auth = { viewer: null, error: new AppError(ErrorCode.INTERNAL_SERVER_ERROR, 'Internal server error') };
    }
  }
  return contextFor(scoped, auth, client, requestId, stats);
}
