import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { createDb } from '../../src/db/client.js';
import { createServer } from '../../src/http/server.js';
import { type GqlClient, createClient } from '../helpers/client.js';
import { freePort, runTs, waitForReady } from '../helpers/process.js';
import { freshDatabase } from '../helpers/server.js';
import { nextWhere, untilLive, waitFor, wsClient } from '../helpers/ws.js';
import { type Db, createDb as openDb } from '../../src/db/client.js';
import { createNotifications } from '../../src/modules/notifications/index.js';
import { publish } from '../../src/shared/event-bus.js';
import { createList, share } from '../tasks/helpers.js';
import { closeAll } from '../helpers/teardown.js';

/**
 * Two replicas on one database: a mutation through one reaches subscribers on the other only
 * through PostgreSQL's LISTEN/NOTIFY. On the PostgreSQL server they are two real processes; the
 * embedded database cannot be opened twice, so there the two servers share one PGlite instance.
 */
let urls: [string, string];
/** The database both replicas use, for the tests' own events (sentinels). */
let shared: Db;
let stopAll: () => Promise<void>;
beforeAll(async () => {
  const db = await freshDatabase();
  const secret = randomBytes(32).toString('hex');
  const outbox = mkdtempSync(join(tmpdir(), 'orbit-replicas-'));
  const env = { ...db.env, JWT_SECRET: secret, MAIL_OUTBOX_DIR: outbox, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
  if (db.env.DATABASE_URL) {
    const ports = [await freePort(), await freePort()];
    const procs = ports.map((port) => runTs('src/main.ts', [], { ...env, PORT: String(port), HOST: '127.0.0.1' }));
    urls = ports.map((p) => `http://127.0.0.1:${p}`) as [string, string];
    await Promise.all(urls.map((u) => waitForReady(u)));
    const own = await openDb(loadConfig(env));
    shared = own.db;
    stopAll = async () => {
      await own.close();
      for (const p of procs) p.child.kill('SIGTERM');
      await Promise.all(procs.map((p) => p.exited));
      await db.drop();
      rmSync(outbox, { recursive: true, force: true });
    };
  } else {
    const config = loadConfig(env);
    const database = await createDb(config);
    const servers = [await createServer(config, { database }), await createServer(config, { database })];
    shared = database.db;
    urls = (await Promise.all(servers.map((srv) => srv.listen(0, '127.0.0.1')))) as [string, string];
    stopAll = async () => {
      for (const srv of servers) await srv.stop();
      await database.close();
      await db.drop();
      rmSync(outbox, { recursive: true, force: true });
    };
  }
}, 60_000);
afterAll(() => closeAll(stopAll));

describe('two replicas', () => {
  it('a mutation on one reaches subscribers on the other', async () => {
    const [one, two]: GqlClient[] = urls.map((u) => createClient(`${u}/graphql`));
    const owner = await one!.register();
    const member = await two!.register();
    const list = await createList(one!, owner, 'Across');
    const c = wsClient(urls[1], { authorization: `Bearer ${member.token}` });
    const notes = c.subscribe(`subscription { notificationAdded { kind entityId } }`);
    const seen = await untilLive(notes, () =>
      shared.transaction((tx) =>
        createNotifications(tx, [{ userId: member.userId, kind: 'SECURITY_ALERT', title: 'sentinel' }]),
      ),
    );
    await share(one!, owner, list, member.email, 'EDITOR');
    // Sentinels fired before the subscription was live may still arrive: the next value that is not one.
    expect(
      (await nextWhere(notes, seen, (v) => v.notificationAdded.kind !== 'SECURITY_ALERT')).notificationAdded,
    ).toEqual({ kind: 'TASK_LIST_SHARED', entityId: list });

    const changes = c.subscribe(`subscription L($id: ID!) { taskListChanged(listId: $id) { kind task { title } } }`, {
      id: list,
    });
    // A sentinel: a change to a task that does not exist, which the subscriber sees as task null.
    const gone = '00000000-0000-4000-8000-000000000000';
    const seen2 = await untilLive(changes, () =>
      publish(shared, { topic: 'task', listId: list, taskId: gone, kind: 'UPDATED', actorId: owner.userId }),
    );
    await one!.ok(
      `mutation C($l: ID!) { createTask(input: { listId: $l, title: "from replica one" }) { id } }`,
      { l: list },
      { token: owner.token },
    );
    expect((await nextWhere(changes, seen2, (v) => v.taskListChanged.task !== null)).taskListChanged).toEqual({
      kind: 'CREATED',
      task: { title: 'from replica one' },
    });

    // A logout on replica one closes the socket held by replica two.
    await one!.ok(`mutation L($t: String) { logout(refreshToken: $t) }`, { t: member.refreshToken });
    expect((await c.closed).code).toBe(4403);
  });

  it('a token cached on one replica follows changes made through the other, well before the cache TTL', async () => {
    const [one, two]: GqlClient[] = urls.map((u) => createClient(`${u}/graphql`));
    const a = await one!.register({ name: 'Ada' });
    const ME = `{ me { name } }`;
    expect((await two!.ok(ME, {}, { token: a.token })).me.name).toBe('Ada');
    // The cache keeps entries 30 s (VIEWER_CACHE_TTL_S): seeing the change within 10 s shows the
    // NOTIFY from the other replica did it.
    await one!.ok(`mutation { updateProfile(input: { name: "Ada L." }) { id } }`, {}, { token: a.token });
    await waitFor(
      async () => (await two!.gql(ME, {}, { token: a.token })).data?.me.name === 'Ada L.',
      'the new name on replica two',
      10_000,
    );
    await one!.ok(`mutation L($t: String) { logout(refreshToken: $t) }`, { t: a.refreshToken });
    await waitFor(
      async () => (await two!.gql(ME, {}, { token: a.token })).errors?.[0]?.extensions?.code === 'UNAUTHENTICATED',
      'the logout on replica two',
      10_000,
    );
  });
});
