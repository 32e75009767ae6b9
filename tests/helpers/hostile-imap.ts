import { type Server, type Socket, createServer } from 'node:net';

/**
 * An IMAP server of the tests' own that speaks just enough IMAP4rev1 for a sync (LOGIN, LIST,
 * EXAMINE, UID SEARCH, UID FETCH, LOGOUT), and misbehaves on demand:
 * - `banner`: answers like an SSH server, not IMAP;
 * - `drip-login`: greets, then answers LOGIN with a keep-alive line every 300 ms, never finishing;
 * - `drip-sync`: logs in, then answers EXAMINE the same way;
 * - `huge`: declares a message of 200 MB in RFC822.SIZE (its headers can be fetched);
 * - `liar`: declares 300 bytes, then starts a 200 MB literal when the message is fetched;
 * - `flood`: answers a fetch with 200 unsolicited FETCH responses for UIDs never asked first.
 */
export type Mode = 'normal' | 'banner' | 'drip-login' | 'drip-sync' | 'huge' | 'liar' | 'flood';

export interface PeerMessage {
  uid: number;
  raw: string;
}

export async function startHostileImap(messages: PeerMessage[]) {
  let mode: Mode = 'normal';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const stats = { connections: 0, fetchedBodies: 0 };
  const server: Server = createServer((socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (mode === 'banner') return void socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
    const send = (line: string) => socket.writable && socket.write(`${line}\r\n`);
    const drip = () => {
      const t = setInterval(() => send('* OK still working'), 300);
      timers.add(t);
      socket.on('close', () => clearInterval(t));
    };
    send('* OK [CAPABILITY IMAP4rev1] hostile peer ready');
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString('latin1');
      for (let at = buffer.indexOf('\r\n'); at >= 0; at = buffer.indexOf('\r\n')) {
        const line = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        answer(line);
      }
    });
    const answer = (line: string) => {
      const [tag = '*', command = '', ...rest] = line.split(' ');
      const args = rest.join(' ');
      const verb = command.toUpperCase();
      if (verb === 'CAPABILITY') return (send('* CAPABILITY IMAP4rev1'), send(`${tag} OK done`));
      if (verb === 'LOGIN') return mode === 'drip-login' ? drip() : send(`${tag} OK logged in`);
      if (verb === 'LIST') return (send('* LIST () "/" INBOX'), send(`${tag} OK done`));
      if (verb === 'EXAMINE' || verb === 'SELECT') {
        if (mode === 'drip-sync') return drip();
        const next = Math.max(0, ...messages.map((m) => m.uid)) + 1;
        send(`* ${messages.length} EXISTS`);
        send('* OK [UIDVALIDITY 7] ok');
        send(`* OK [UIDNEXT ${next}] ok`);
        return send(`${tag} OK [READ-ONLY] done`);
      }
      if (verb === 'LOGOUT') return (send('* BYE bye'), send(`${tag} OK bye`), socket.end());
      if (verb === 'UID' && /^SEARCH/i.test(args))
        return (send(`* SEARCH ${messages.map((m) => m.uid).join(' ')}`), send(`${tag} OK done`));
      if (verb === 'UID' && /^FETCH/i.test(args)) return fetch(tag, args);
      send(`${tag} OK nothing to do`);
    };
    const fetch = (tag: string, args: string) => {
      const [, set = ''] = args.split(' ');
      const wanted = uidsOf(set, messages);
      const items = args.toUpperCase();
      if (mode === 'flood' && items.includes('BODY')) {
        for (let i = 0; i < 200; i++) {
          const raw = `Subject: unsolicited ${i}\r\n\r\nnot asked for\r\n`;
          socket.write(`* ${i + 1} FETCH (UID ${1000 + i} FLAGS () BODY[] {${raw.length}}\r\n${raw})\r\n`);
        }
      }
      for (const [seq, m] of wanted) {
        const declared = mode === 'huge' && m.uid === messages.at(-1)?.uid ? 200 * 1024 * 1024 : m.raw.length;
        if (items.includes('RFC822.SIZE')) {
          send(`* ${seq} FETCH (UID ${m.uid} RFC822.SIZE ${mode === 'liar' ? 300 : declared})`);
        } else if (items.includes('BODY.PEEK[HEADER]')) {
          const headers = `${m.raw.split('\r\n\r\n')[0]}\r\n\r\n`;
          socket.write(`* ${seq} FETCH (UID ${m.uid} FLAGS () BODY[HEADER] {${headers.length}}\r\n${headers})\r\n`);
        } else if (items.includes('BODY.PEEK[]')) {
          stats.fetchedBodies++;
          if (mode === 'liar') return void socket.write(`* ${seq} FETCH (UID ${m.uid} BODY[] {209715200}\r\nxxxx`);
          socket.write(
            `* ${seq} FETCH (UID ${m.uid} FLAGS () INTERNALDATE "02-Dec-2026 10:00:00 +0000" BODY[] {${m.raw.length}}\r\n${m.raw})\r\n`,
          );
        } else send(`* ${seq} FETCH (UID ${m.uid} FLAGS ())`);
      }
      send(`${tag} OK done`);
    };
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    stats,
    /** Connections still open (a client that gave up must have closed its socket). */
    open: () => sockets.size,
    set(next: Mode) {
      mode = next;
    },
    async close() {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The messages a UID set names, with their sequence numbers ("1,3", "2:*", "1:4"). */
function uidsOf(set: string, messages: PeerMessage[]): Array<[number, PeerMessage]> {
  const max = Math.max(0, ...messages.map((m) => m.uid));
  const uids = new Set<number>();
  for (const part of set.split(',')) {
    const [a = '', b] = part.split(':');
    const from = a === '*' ? max : Number(a);
    const to = b === undefined ? from : b === '*' ? max : Number(b);
    for (let u = Math.min(from, to); u <= Math.max(from, to); u++) uids.add(u);
  }
  return messages.flatMap((m, i) => (uids.has(m.uid) ? [[i + 1, m] as [number, PeerMessage]] : []));
}

/** A plain RFC 5322 message. */
export const plainMail = (subject: string, body: string, from = 'someone@outside.example') =>
  `From: ${from}\r\nTo: me@test.example\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@outside.example>\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n\r\n${body}\r\n`;
