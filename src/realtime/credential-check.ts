import { liveCredentials } from '../modules/accounts/index.js';
import type { App } from '../shared/app.js';
import { withRetries } from '../shared/retry.js';
import type { SocketConnection } from './connection.js';

const RECHECK_ATTEMPTS = 5;
const RECHECK_PAUSE_MS = 250;

/**
 * Checks the credential of every signed-in connection in one statement and calls `close` for each
 * whose session or API key no longer authenticates (revoked, expired, user suspended).
 */
export async function recheckCredentials(
  app: App,
  connections: Iterable<SocketConnection>,
  close: (conn: SocketConnection) => void,
): Promise<void> {
  const open = [...connections].filter((c) => c.auth?.viewer);
  if (open.length === 0) return;
  const ids = (pick: (c: SocketConnection) => string | null | undefined) => [
    ...new Set(open.map(pick).filter((id): id is string => !!id)),
  ];
  // Right after a reconnect some pooled connections may still be the dead ones: a few tries.
  let live: Awaited<ReturnType<typeof liveCredentials>>;
  try {
    live = await withRetries(
      () =>
        liveCredentials(
          app,
          ids((c) => c.auth?.viewer?.sessionId),
          ids((c) => c.auth?.viewer?.apiKeyId),
        ),
      RECHECK_ATTEMPTS,
      RECHECK_PAUSE_MS,
    );
  } catch (err) {
    app.logger.warn({ err }, 'websocket: re-checking credentials after a reconnect failed');
    return;
  }
  for (const conn of open) {
    const viewer = conn.auth?.viewer;
    if (!viewer) continue;
    const valid = viewer.apiKeyId
      ? live.apiKeys.has(viewer.apiKeyId)
      : !viewer.sessionId || live.sessions.has(viewer.sessionId);
    if (!valid) close(conn);
  }
}
