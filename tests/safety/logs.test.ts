import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/shared/config.js';
import { execRows } from '../../src/db/client.js';
import { createLogger } from '../../src/ops/logger.js';
import { createServer } from '../../src/http/server.js';
import { PASSWORD, createClient, uniqueEmail } from '../helpers/client.js';
import { freshDatabase } from '../helpers/server.js';

const closers: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closers) await close();
});

/** A server whose log lines are kept, with a users table that refuses every name: an error nobody expected. */
async function brokenServer(nodeEnv: 'development' | 'production') {
  const db = await freshDatabase();
  const lines: string[] = [];
  const config = loadConfig({
    NODE_ENV: nodeEnv,
    JWT_SECRET: randomBytes(32).toString('hex'),
    SECRETS_KEY: randomBytes(32).toString('hex'),
    ...db.env,
    DATA_DIR: db.env.DATA_DIR ?? `memory://`,
  });
  const logger = createLogger('info', nodeEnv === 'development', { write: (line: string) => void lines.push(line) });
  const server = await createServer(config, { logger });
  closers.push(async () => {
    await server.stop();
    await db.drop();
  });
  await execRows(server.app.db, sql`alter table users add constraint no_names check (name is null) not valid`);
  const url = await server.listen(0, '127.0.0.1');
  return { client: createClient(`${url}/graphql`), lines };
}

const REGISTER = `mutation R($i: RegisterInput!) { register(input: $i) { accessToken } }`;

describe('an unexpected database error', () => {
  it("is logged with PostgreSQL's reason and the statement, never its parameters (production)", async () => {
    const { client, lines } = await brokenServer('production');
    const email = uniqueEmail('secret-address');
    const res = await client.gql(REGISTER, { i: { email, password: PASSWORD, name: 'Named' } });
    expect(res.errors?.[0]).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const requestId = res.errors![0]!.extensions!.requestId;
    const line = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'unexpected error');
    expect(line.requestId).toBe(requestId);
    const text = JSON.stringify(line);
    expect(text).toContain('23514');
    expect(text).toContain('no_names');
    expect(line.err.cause.query).toMatch(/^insert into "users"/);
    // No parameter of the statement: not the password hash, not the address, not the name.
    expect(text).not.toContain('$argon2');
    expect(text).not.toContain(email);
    expect(lines.join('\n')).not.toContain('$argon2');
  });

  it("shows the reason in development, without the statement's parameters in the answer", async () => {
    const { client, lines } = await brokenServer('development');
    const res = await client.gql(REGISTER, { i: { email: uniqueEmail('dev'), password: PASSWORD, name: 'Named' } });
    const error = res.errors![0];
    expect(error!.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error!.message).toContain('23514');
    expect(JSON.stringify(error)).not.toContain('$argon2');
    expect(JSON.stringify(error)).not.toContain('params');
    // Development logs may show the parameters: that is where a developer looks for them.
    expect(lines.some((l) => l.includes('23514'))).toBe(true);
  });
});

describe('request logs', () => {
  it('are one line per request, with the request id as requestId and the operation report', async () => {
    const db = await freshDatabase();
    const lines: string[] = [];
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRETS_KEY: randomBytes(32).toString('hex'),
      ...db.env,
      DATA_DIR: db.env.DATA_DIR ?? 'memory://',
    });
    const server = await createServer(config, {
      logger: createLogger('info', false, { write: (line: string) => void lines.push(line) }),
    });
    closers.push(async () => {
      await server.stop();
      await db.drop();
    });
    const url = await server.listen(0, '127.0.0.1');
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-one-line' },
      body: JSON.stringify({ query: 'query Hello { __typename }' }),
    });
    expect(res.headers.get('x-request-id')).toBe('req-one-line');
    await res.text();
    await new Promise((r) => setImmediate(r));
    const mine = lines.map((l) => JSON.parse(l)).filter((l) => JSON.stringify(l).includes('req-one-line'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({
      requestId: 'req-one-line',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operation: { operationName: 'Hello', errors: 0 },
    });
    expect(lines.join('\n')).not.toContain('"reqId"');
  });
});
