import { readFileSync } from 'node:fs';
import { rawMail, startDovecot } from '../tests/helpers/dovecot.js';
import { type BenchDatabase, gql, startServerProcess } from './lib.js';
import { benchEnv } from './seed.js';

const MESSAGES = Number(process.env.BENCH_MAIL_MESSAGES ?? 5000);
const LATENCY_ROUNDS = 5;

export interface MailBenchResult {
  db: string;
  messages: number;
  firstSyncS: number;
  messagesPerSecond: number;
  /** The server process's peak resident memory (VmHWM) after the first sync, and before connecting. */
  peakRssMb: number;
  idleRssMb: number;
  /** APPEND of one message to its EMAIL_RECEIVED notification, ms (each round). */
  receivedMs: number[];
  syncIntervalS: number;
  errors: number;
}

const kb = (pid: number, field: string) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/**
 * The first sync of a mailbox of 5,000 messages (text, a few KB each) from a local Dovecot, through
 * the built server: messages per second and the server's peak RSS; then the delay from APPEND of a
 * new message to its EMAIL_RECEIVED notification, with MAIL_SYNC_INTERVAL_S=1 (there is no IDLE).
 */
export async function mailBench(db: BenchDatabase): Promise<MailBenchResult> {
  const imap = await startDovecot();
  const user = `bench-${Date.now()}@test.example`;
  imap.addUser(user, 'bench-password');
  const box = await imap.client(user);
  const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(40);
  for (let i = 0; i < MESSAGES; i++) {
    await box.append(
      'INBOX',
      rawMail({
        from: `Sender ${i % 50} <s${i % 50}@test.example>`,
        to: user,
        subject: `Message ${i} about ${['rent', 'dentist', 'garden', 'taxes'][i % 4]}`,
        text: `${i}: ${filler}`,
        messageId: `<b${i}@test.example>`,
        ...(i % 3 === 1 ? { inReplyTo: `<b${i - 1}@test.example>` } : {}),
      }),
    );
  }
  const server = await startServerProcess(
    benchEnv({ ...db.env, MAIL_SYNC_INTERVAL_S: '1', JOBS_POLL_MS: '100', MAIL_SYNC_MAX: String(MESSAGES) }),
  );
  let errors = 0;
  try {
    const email = `mail-bench-${Date.now()}@bench.example`;
    const token = (
      await gql(
        server.url,
        `mutation R($e: String!) { register(input: { email: $e, password: "bench-password-42" }) { accessToken } }`,
        { e: email },
      )
    ).register.accessToken as string;
    const idleRssMb = kb(server.pid, 'VmRSS') / 1024;
    const started = performance.now();
    const acc = (
      await gql(
        server.url,
        `mutation C($i: ConnectMailAccountInput!) { connectMailAccount(input: $i) { id } }`,
        {
          i: {
            email: user,
            username: user,
            password: 'bench-password',
            imapHost: imap.host,
            imapPort: imap.port,
            imapTls: false,
          },
        },
        token,
      )
    ).connectMailAccount;
    for (;;) {
      const a = (await gql(server.url, `{ mailAccounts { id syncState messageCount } }`, {}, token)).mailAccounts[0];
      if (a.syncState === 'FAILED') {
        errors++;
        break;
      }
      if (a.syncState === 'IDLE' && a.messageCount >= MESSAGES) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const firstSyncS = (performance.now() - started) / 1000;
    const peakRssMb = kb(server.pid, 'VmHWM') / 1024;
    const receivedMs: number[] = [];
    for (let r = 0; r < LATENCY_ROUNDS; r++) {
      const before = (await gql(server.url, `{ notifications(first: 1) { totalCount } }`, {}, token)).notifications
        .totalCount as number;
      const t0 = performance.now();
      await box.append(
        'INBOX',
        rawMail({ from: 'Fresh <fresh@test.example>', to: user, subject: `New ${r}`, text: 'Just arrived' }),
      );
      for (;;) {
        const n = (await gql(server.url, `{ notifications(first: 1) { totalCount } }`, {}, token)).notifications
          .totalCount as number;
        if (n > before) break;
        if (performance.now() - t0 > 30_000) {
          errors++;
          break;
        }
        await new Promise((res) => setTimeout(res, 20));
      }
      receivedMs.push(performance.now() - t0);
    }
    void acc;
    return {
      db: db.kind,
      messages: MESSAGES,
      firstSyncS,
      messagesPerSecond: MESSAGES / firstSyncS,
      peakRssMb,
      idleRssMb,
      receivedMs,
      syncIntervalS: 1,
      errors,
    };
  } finally {
    await box.logout().catch(() => {});
    await server.stop();
    await imap.stop();
  }
}
