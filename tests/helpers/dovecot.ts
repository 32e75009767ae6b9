import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './process.js';

/**
 * A real IMAP server for the tests: Dovecot from Debian's packages (`dovecot-imapd`, which .ci/run
 * installs), started in a temporary directory with its own configuration, passwd-file users and
 * maildirs, on a free port of 127.0.0.1; stopped (and the directory removed) by stop().
 */
export async function startDovecot() {
  const binary = spawnSync('dovecot', ['--version'], { encoding: 'utf8' });
  if (binary.status !== 0) throw new Error('Dovecot is not installed: apt-get install dovecot-imapd (.ci/run does it)');
  const dir = mkdtempSync(join(tmpdir(), 'orbit-imap-'));
  // Dovecot's own users (dovecot, dovenull) must reach the configuration and the users file.
  chmodSync(dir, 0o755);
  const port = await freePort();
  const uid = Number(execFileSync('id', ['-u', 'dovecot'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).trim());
  for (const sub of ['run', 'state', 'mail']) mkdirSync(join(dir, sub));
  chownSync(join(dir, 'mail'), uid, gid);
  // One passwd-file per user: a new user's file is read on its first login; a changed one when its
  // mtime changes (which Dovecot looks at no more than about once a second).
  const users = new Map<string, string>();
  mkdirSync(join(dir, 'users'));
  let stamp = Math.floor(Date.now() / 1000);
  const writeUser = (user: string) => {
    const file = join(dir, 'users', user);
    writeFileSync(file, `${user}:{PLAIN}${users.get(user)}\n`);
    stamp += 2;
    utimesSync(file, stamp, stamp);
  };
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_cache_size = 0
# A failed login answers at once (Dovecot still delays this IP's next login: its per-IP penalty).
auth_failure_delay = 0
mail_location = maildir:${dir}/mail/%u
first_valid_uid = 1
default_internal_user = dovecot
default_login_user = dovenull
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users/%u
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
namespace inbox {
  inbox = yes
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
}
`,
  );
  // Dovecot forks into the background: its output must not hold a pipe of ours open.
  const started = spawnSync('dovecot', ['-c', conf], { stdio: 'ignore' });
  if (started.status !== 0) throw new Error(`Dovecot did not start (exit ${started.status}); see ${dir}/dovecot.log`);
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (i > 200) throw new Error('Dovecot did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    host: '127.0.0.1',
    port,
    addUser(user: string, password: string) {
      users.set(user, password);
      writeUser(user);
    },
    /** Changes a password; resolves once Dovecot will have noticed. */
    async changePassword(user: string, password: string) {
      await new Promise((r) => setTimeout(r, 1100));
      users.set(user, password);
      writeUser(user);
      await new Promise((r) => setTimeout(r, 1100));
    },
    /** A client logged in as the user, for putting mail in place (APPEND) and checking flags. */
    async client(user: string): Promise<ImapFlow> {
      const c = new ImapFlow({
        host: '127.0.0.1',
        port,
        secure: false,
        auth: { user, pass: users.get(user)! },
        logger: false,
        disableAutoIdle: true,
      });
      c.on('error', () => {});
      await c.connect();
      return c;
    },
    async stop() {
      spawnSync('doveadm', ['-c', conf, 'stop'], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type Dovecot = Awaited<ReturnType<typeof startDovecot>>;

/** A raw RFC 5322 message. */
export function rawMail(m: {
  from: string;
  to: string;
  subject: string;
  text: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  date?: Date;
  extraHeaders?: string;
  body?: string;
}): string {
  const headers = [
    `From: ${m.from}`,
    `To: ${m.to}`,
    `Subject: ${m.subject}`,
    `Date: ${(m.date ?? new Date()).toUTCString()}`,
    `Message-ID: ${m.messageId ?? `<${Math.random().toString(36).slice(2)}@test.example>`}`,
    ...(m.inReplyTo ? [`In-Reply-To: ${m.inReplyTo}`] : []),
    ...(m.references ? [`References: ${m.references}`] : []),
    'MIME-Version: 1.0',
  ];
  if (m.body) return `${headers.join('\r\n')}\r\n${m.extraHeaders ?? ''}${m.body}`;
  return `${headers.join('\r\n')}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${m.text}\r\n`;
}
