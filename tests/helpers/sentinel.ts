import { createNotifications } from '../../src/modules/notifications/index.js';
import type { TestServer } from './server.js';

/**
 * Writes a notification for `userId` and returns its title. Events reach a subscriber in commit
 * order, so once the sentinel has arrived, anything committed before it would have arrived first:
 * a negative check ends with a sentinel instead of a fixed wait.
 */
export async function sendSentinel(server: TestServer, userId: string): Promise<string> {
  const title = `sentinel ${Math.random().toString(36).slice(2)}`;
  await server.server.app.db.transaction((tx) => createNotifications(tx, [{ userId, kind: 'SECURITY_ALERT', title }]));
  return title;
}
