import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../helpers/client.js';
import { type Replica, startReplica } from './replica.js';

/**
 * The embedded database on a disk that fills up: a server on PGlite whose data directory is a small
 * tmpfs of its own (mounted by the test, which runs as root like CI). Once the disk is full, the
 * next WAL segment cannot be created and PGlite stops answering: its next query blocks the thread
 * forever, so /healthz no longer answers. A watchdog thread must end the process (SIGKILL after
 * STALL_EXIT_S), so that a supervisor restarts it, rather than leave it up and useless.
 */
const mount = mkdtempSync(join(tmpdir(), 'orbit-full-disk-'));
let replica: Replica;
beforeAll(async () => {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=160m', 'tmpfs', mount]);
  replica = await startReplica(null, {
    env: { DATA_DIR: join(mount, 'data'), STALL_EXIT_S: '4', DB_STATEMENT_TIMEOUT_MS: '3000' },
  });
}, 60_000);
afterAll(async () => {
  await replica.kill('SIGKILL');
  execFileSync('umount', ['-l', mount]);
  rmSync(mount, { recursive: true, force: true });
});

/** Fills the disk but for `leaveBytes` (or about that: whole megabytes). */
function fillDisk(leaveBytes: number): void {
  const { bavail, bsize } = statfsSync(mount);
  const free = bavail * bsize;
  const chunk = Buffer.alloc(1024 * 1024, 1);
  for (let written = 0, i = 0; written + chunk.length <= free - leaveBytes; written += chunk.length, i++)
    writeFileSync(join(mount, `filler-${Math.floor(i / 64)}`), chunk, { flag: 'a' });
}

describe('a full disk under the embedded database', () => {
  it('/healthz stops answering once PGlite hangs, and the watchdog kills the process', async () => {
    const client = createClient(`${replica.url}/graphql`);
    const who = await client.register();
    expect((await fetch(`${replica.url}/healthz`)).status).toBe(200);
    let unhealthy = false;
    for (let i = 0; i < 40 && !unhealthy && replica.child.exitCode === null; i++) {
      // Room for one more document's rows, never for another 16 MB WAL segment: documents of about
      // 1 MB of random text fill the current segment, and the next one cannot be created.
      fillDisk(12 * 1024 * 1024);
      // Hex: one word too long to index (full-text search skips it), and nothing for pglz to compress.
      const content = randomBytes(480 * 1024).toString('hex');
      await fetch(`${replica.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${who.token}` },
        body: JSON.stringify({
          query: `mutation D($c: String!) { createDocument(input: { title: "big", content: $c }) { id } }`,
          variables: { c: content },
        }),
        signal: AbortSignal.timeout(3000),
      }).catch(() => null);
      const health = await fetch(`${replica.url}/healthz`, { signal: AbortSignal.timeout(3000) }).catch(() => null);
      unhealthy = health?.status !== 200;
    }
    if (!unhealthy) console.log('exit', replica.child.exitCode, replica.output().slice(-1500));
    expect(unhealthy).toBe(true);
    const code = await Promise.race([replica.exited, new Promise((r) => setTimeout(() => r('still running'), 20_000))]);
    expect(code).toBe(-1); // killed by a signal
    expect(replica.child.signalCode).toBe('SIGKILL');
    expect(replica.output()).toContain('the event loop has been blocked');
  }, 120_000);
});
