import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP peer (the smtp-server package, in process): it checks credentials, records what it
 * receives, and can refuse the next deliveries with a transient 451.
 */
export async function startSmtpPeer(credentials: { user: string; pass: string }) {
  const received: Array<{ from: string; to: string[]; raw: string }> = [];
  let refuse = 0;
  let beforeReply: ((raw: string) => Promise<void>) | undefined;
  const server = new SMTPServer({
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, done) {
      if (auth.username === credentials.user && auth.password === credentials.pass) done(null, { user: auth.username });
      else done(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, done) {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      stream.on('end', () => {
        if (refuse > 0) {
          refuse--;
          return done(Object.assign(new Error('Try again later'), { responseCode: 451 }));
        }
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        });
        // The message is accepted (kept) here; the reply that says so comes after the hook.
        void (beforeReply?.(raw) ?? Promise.resolve()).finally(() => done());
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.server.address() as AddressInfo).port,
    received,
    /** Runs after a message is kept and before the sender is told (e.g. to kill the sender then). */
    beforeReply(hook: ((raw: string) => Promise<void>) | undefined) {
      beforeReply = hook;
    },
    /** How many accepted messages carry this Message-ID header. */
    deliveries: (messageId: string) => received.filter((m) => m.raw.includes(`Message-ID: ${messageId}\r\n`)).length,
    /** The next n deliveries are refused with 451 (a transient failure). */
    refuseNext(n: number) {
      refuse = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
