import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { PASSWORD, createClient, uniqueEmail } from '../helpers/client.js';
import { freePort, runTs, waitForReady } from '../helpers/process.js';

// The embedded database only: a PGlite directory, whichever database the rest of the suite uses.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'orbit-lock-'));
  const template = process.env.TEST_DATABASE_URL ? null : inject('pgliteTemplate');
  if (template) cpSync(template, dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function startMain() {
  const port = await freePort();
  const proc = runTs('src/main.ts', [], { DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;
  await waitForReady(url, 40_000);
  return { proc, url };
}

describe('one process per PGlite data directory', () => {
  it(
    "refuses a second process at once, naming the directory and the holder; takes over a dead holder's lock",
    { timeout: 120_000 },
    async () => {
      const server = await startMain();
      const pid = server.proc.child.pid!;
      const email = uniqueEmail('locked');

      const cli = runTs('src/cli/admin.ts', ['user:create', '--email', email, '--password', PASSWORD], {
        DATA_DIR: dir,
      });
      expect(await cli.exited).toBe(1);
      const said = cli.output().trim();
      expect(said.split('\n')).toHaveLength(1);
      expect(said).toContain(resolve(dir));
      expect(said).toContain(String(pid));
      expect(said).not.toMatch(/created|at .*\.ts:\d+/);

      const port = await freePort();
      const second = runTs('src/main.ts', [], { DATA_DIR: dir, PORT: String(port), HOST: '127.0.0.1' });
      expect(await second.exited).toBe(1);
      expect(second.output()).toContain(String(pid));
      expect(second.output()).not.toContain('EADDRINUSE');

      // The user was not created behind the running server's back.
      const client = createClient(`${server.url}/graphql`);
      const LOGIN = `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { user { email } } }`;
      expect((await client.fail(LOGIN, { i: email, p: PASSWORD })).extensions?.code).toBe('UNAUTHENTICATED');

      // A holder that dies without releasing leaves a stale lock, which the next process takes over.
      server.proc.child.kill('SIGKILL');
      await server.proc.exited;
      const retry = runTs('src/cli/admin.ts', ['user:create', '--email', email, '--password', PASSWORD], {
        DATA_DIR: dir,
      });
      expect(await retry.exited).toBe(0);
      expect(retry.output()).toContain(`created user ${email}`);
      const again = await startMain();
      try {
        expect((await createClient(`${again.url}/graphql`).ok(LOGIN, { i: email, p: PASSWORD })).login.user.email).toBe(
          email,
        );
      } finally {
        again.proc.child.kill('SIGTERM');
        expect(await again.proc.exited).toBe(0);
      }
    },
  );
});
