import type { Account } from '../helpers/client.js';
import type { Dovecot } from '../helpers/dovecot.js';
import type { TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/ws.js';

export const ACCOUNT = `fragment Acc on MailAccount { id email syncState lastSyncedAt lastError messageCount }`;
export const CONNECT = `mutation C($i: ConnectMailAccountInput!) { connectMailAccount(input: $i) { ...Acc } } ${ACCOUNT}`;
export const THREADS = `query T($a: ID, $s: String, $u: Boolean) { mailThreads(accountId: $a, search: $s, unreadOnly: $u, first: 10) { totalCount edges { node {
  id subject messageCount unreadCount participants { address } messages { id folder subject messageId seen snippet from { name address } to { address } attachments { id filename contentType size url } } } } } }`;

let n = 0;
/** A new mailbox user on the Dovecot server. */
export function mailbox(imap: Dovecot, password = 'secret-1') {
  const user = `user${++n}-${Math.random().toString(36).slice(2, 7)}@test.example`;
  imap.addUser(user, password);
  return user;
}

export const input = (imap: Dovecot, user: string, password = 'secret-1', smtp?: { port: number }) => ({
  email: user,
  username: user,
  password,
  imapHost: imap.host,
  imapPort: imap.port,
  imapTls: false,
  ...(smtp ? { smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpTls: false } : {}),
});

export async function accountOf(s: TestServer, who: Account, id: string) {
  const all = (await s.ok(`{ mailAccounts { ...Acc } } ${ACCOUNT}`, {}, { token: who.token })).mailAccounts as any[];
  return all.find((a) => a.id === id);
}

/** Waits until the account's sync has run (IDLE or FAILED, after `since`). */
export async function settled(s: TestServer, who: Account, id: string, since = 0) {
  let last: any;
  await waitFor(
    async () => {
      last = await accountOf(s, who, id);
      return (
        (last.syncState === 'IDLE' || last.syncState === 'FAILED') &&
        (since === 0 || Date.parse(last.lastSyncedAt ?? 0) > since || last.syncState === 'FAILED')
      );
    },
    'the mail sync',
    30_000,
  );
  return last;
}

/** Asks for a sync now and waits for it. */
export async function sync(s: TestServer, who: Account, id: string) {
  const before = Date.now() - 1;
  await s.ok(`mutation S($id: ID!) { syncMailAccount(id: $id) { id } }`, { id }, { token: who.token });
  return settled(s, who, id, before);
}

export async function threads(s: TestServer, who: Account, vars: Record<string, unknown> = {}) {
  return (await s.ok(THREADS, vars, { token: who.token })).mailThreads;
}
