import { sql } from 'drizzle-orm';
import { generateNKeysBetween } from 'fractional-indexing';
import { rawMail, startDovecot } from '../tests/helpers/dovecot.js';
import { startSmtpPeer } from '../tests/helpers/smtp-peer.js';
import { execRows } from '../src/db/client.js';
import { type BenchDatabase, gql, percentile, startServerProcess, statementsOf } from './lib.js';
import { BENCH_PASSWORD, benchEnv, withDatabase } from './seed.js';

const BOARD_TICKETS = Number(process.env.BENCH_TRACKER_TICKETS ?? 10_000);
const VIEWS = Number(process.env.BENCH_TRACKER_VIEWS ?? 300);
const MAILS = Number(process.env.BENCH_TRACKER_MAILS ?? 1_000);
const QUEUE = Number(process.env.BENCH_TRACKER_QUEUE ?? 1_000);
const CLAIMERS = 10;

export interface TrackerBenchResult {
  db: string;
  tickets: number;
  states: number;
  /** One page of 50 tickets of a state with the board, its states and each ticket's assignee, labels and comment count. */
  viewP50Ms: number;
  viewP99Ms: number;
  viewStatements: number;
  mails: number;
  newTickets: number;
  replies: number;
  mailsPerSecond: number;
  queue: number;
  claimers: number;
  claimsPerSecond: number;
  doubleClaims: number;
  errors: number;
}

const VIEW = `query V($b: ID!, $f: TicketFilter, $after: String) { board(id: $b) { id key states { id name ticketCount wipLimit }
  tickets(first: 50, after: $after, filter: $f) { totalCount pageInfo { endCursor hasNextPage }
    edges { node { id identifier title rank priority state { id } assignee { id name } labels { id name } commentCount } } } } }`;

async function register(url: string, email: string): Promise<{ token: string; id: string }> {
  const r = (
    await gql(
      url,
      `mutation R($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { accessToken user { id } } }`,
      {
        e: email,
        p: BENCH_PASSWORD,
      },
    )
  ).register;
  return { token: r.accessToken, id: r.user.id };
}

/**
 * The tracker on one database, through the built server over HTTP: a board of 10,000 tickets in 6
 * states viewed 50 at a time (p50/p99 and statements per view); 1,000 inbound mails (60% new
 * requests, 40% replies by In-Reply-To) turned into tickets and comments by the sync; 10 claimers
 * at once draining a queue of 1,000 (claims per second, and tickets claimed twice: must be 0).
 */
export async function trackerBench(db: BenchDatabase): Promise<TrackerBenchResult> {
  const imap = await startDovecot();
  const desk = `desk-${Date.now()}@test.example`;
  imap.addUser(desk, 'desk-password');
  const smtp = await startSmtpPeer({ user: desk, pass: 'desk-password' });
  try {
    return await measure(db, imap, desk, smtp);
  } finally {
    await smtp.close();
    await imap.stop();
  }
}

async function measure(
  db: BenchDatabase,
  imap: Awaited<ReturnType<typeof startDovecot>>,
  desk: string,
  smtp: Awaited<ReturnType<typeof startSmtpPeer>>,
): Promise<TrackerBenchResult> {
  const env = benchEnv({
    ...db.env,
    JOBS_POLL_MS: '500',
    // The local Dovecot and SMTP peer listen on loopback.
    MAIL_ALLOW_PRIVATE_HOSTS: 'true',
    METRICS: 'true',
    MAIL_SYNC_INTERVAL_S: '3600',
    MAIL_SYNC_MAX: String(MAILS * 2),
  });
  let errors = 0;
  // 1. Users, boards and states through the API; then the tickets written straight into the database.
  let server = await startServerProcess(env);
  const stamp = Date.now();
  const owner = await register(server.url, `tracker-owner-${stamp}@bench.example`);
  const claimers = await Promise.all(
    Array.from({ length: CLAIMERS }, (_, i) => register(server.url, `claimer-${i}-${stamp}@bench.example`)),
  );
  const makeBoard = async (key: string) =>
    (
      await gql(
        server.url,
        `mutation B($k: String!) { createBoard(input: { name: $k, key: $k }) { id states { id } } }`,
        { k: key },
        owner.token,
      )
    ).createBoard;
  const big = await makeBoard('BIG');
  const extra = (
    await gql(
      server.url,
      `mutation S($b: ID!) { createBoardState(boardId: $b, input: { name: "Review", category: STARTED, wipLimit: 5000 }) { id } }`,
      { b: big.id },
      owner.token,
    )
  ).createBoardState.id;
  const states: string[] = [...big.states.map((s: { id: string }) => s.id), extra];
  const queue = await makeBoard('QUEUE');
  for (const c of claimers)
    await gql(
      server.url,
      `mutation A($b: ID!, $e: String!) { addBoardMember(boardId: $b, email: $e, role: EDITOR) { id } }`,
      { b: queue.id, e: `claimer-${claimers.indexOf(c)}-${stamp}@bench.example` },
      owner.token,
    );
  const mailBoard = await makeBoard('MAIL');
  await server.stop();
  await withDatabase(db.env, async ({ db: d }) => {
    const labels = await execRows<{ id: string }>(
      d,
      sql`insert into board_labels (board_id, name) select ${big.id}, 'label ' || g from generate_series(1, 3) g returning id`,
    );
    const perState = Math.ceil(BOARD_TICKETS / states.length);
    const keys = generateNKeysBetween(null, null, perState);
    for (let s = 0; s < states.length; s++) {
      const n = Math.min(perState, BOARD_TICKETS - s * perState);
      await d.execute(sql`insert into tickets (board_id, number, title, state_id, rank, channel, created_by_id, assignee_id, mail_token)
        select ${big.id}, ${s * perState} + g, 'Ticket ' || (${s * perState} + g), ${states[s]}, (${sql.param(keys)}::text[])[g], 'APP', ${owner.id},
               case when g % 2 = 0 then ${owner.id}::uuid end, md5(random()::text)
        from generate_series(1, ${n}) g`);
    }
    await d.execute(sql`update boards set next_number = ${BOARD_TICKETS + 1} where id = ${big.id}`);
    await d.execute(
      sql`insert into ticket_labels (ticket_id, label_id) select t.id, l.id from tickets t cross join unnest(${sql.param(labels.map((l) => l.id))}::uuid[]) as l(id) where t.board_id = ${big.id} and t.number % 3 = 0`,
    );
    await d.execute(
      sql`insert into ticket_comments (ticket_id, body, visibility, channel, author_id) select id, 'a comment', 'INTERNAL', 'APP', ${owner.id} from tickets where board_id = ${big.id} and number % 4 = 0`,
    );
    const qkeys = generateNKeysBetween(null, null, QUEUE);
    await d.execute(sql`insert into tickets (board_id, number, title, state_id, rank, channel, created_by_id, mail_token, created_at)
      select ${queue.id}, g, 'Queued ' || g, ${queue.states[0].id}, (${sql.param(qkeys)}::text[])[g], 'APP', ${owner.id}, md5(random()::text), now() - make_interval(secs => ${QUEUE} - g)
      from generate_series(1, ${QUEUE}) g`);
    await d.execute(sql`update boards set next_number = ${QUEUE + 1} where id = ${queue.id}`);
    await d.execute(sql`analyze`);
  });
  server = await startServerProcess(env);
  try {
    const token = (
      await gql(
        server.url,
        `mutation L($e: String!, $p: String!) { login(input: { identifier: $e, password: $p }) { accessToken } }`,
        { e: `tracker-owner-${stamp}@bench.example`, p: BENCH_PASSWORD },
      )
    ).login.accessToken as string;
    // 2. Viewing the board 50 at a time: each view pages on through one state (cycling the states).
    const cursors = new Map<string, string | null>();
    const times: number[] = [];
    const before = await statementsOf(server.url, 'V');
    for (let i = 0; i < VIEWS; i++) {
      const state = states[i % states.length]!;
      const t0 = performance.now();
      const data = await gql(
        server.url,
        VIEW,
        { b: big.id, f: { stateIds: [state] }, after: cursors.get(state) ?? null },
        token,
      );
      times.push(performance.now() - t0);
      const page = data.board.tickets;
      if (page.edges.length !== 50 && page.pageInfo.hasNextPage) errors++;
      cursors.set(state, page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null);
    }
    const after = await statementsOf(server.url, 'V');
    times.sort((a, b) => a - b);

    // 3. Inbound mail: 1,000 messages after the inbox is connected, then one sync.
    const account = (
      await gql(
        server.url,
        `mutation C($i: ConnectMailAccountInput!) { connectMailAccount(input: $i) { id } }`,
        {
          i: {
            email: desk,
            username: desk,
            password: 'desk-password',
            imapHost: imap.host,
            imapPort: imap.port,
            imapTls: false,
            smtpHost: '127.0.0.1',
            smtpPort: smtp.port,
            smtpTls: false,
          },
        },
        token,
      )
    ).connectMailAccount.id as string;
    const idle = async () => {
      for (;;) {
        const a = (await gql(server.url, `{ mailAccounts { id syncState } }`, {}, token)).mailAccounts.find(
          (x: { id: string }) => x.id === account,
        );
        if (a.syncState === 'IDLE' || a.syncState === 'FAILED') return a.syncState;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await idle();
    const inbox = (
      await gql(
        server.url,
        `mutation I($i: ConnectTicketInboxInput!) { connectTicketInbox(input: $i) { id } }`,
        { i: { boardId: mailBoard.id, mailAccountId: account } },
        token,
      )
    ).connectTicketInbox.id;
    const box = await imap.client(desk);
    const newOnes = Math.round(MAILS * 0.6);
    for (let i = 0; i < MAILS; i++) {
      const reply = i >= newOnes;
      const of = reply ? (i - newOnes) % newOnes : i;
      await box.append(
        'INBOX',
        rawMail({
          from: `Customer ${of % 200} <c${of % 200}@customer.example>`,
          to: desk,
          subject: reply ? `Re: Request ${of}` : `Request ${of}`,
          text: reply ? `Thanks!\n\nOn Monday you wrote:\n> earlier text ${of}` : `Something is wrong (${of}).`,
          messageId: `<m${i}-${stamp}@customer.example>`,
          ...(reply ? { inReplyTo: `<m${of}-${stamp}@customer.example>` } : {}),
        }),
      );
    }
    await box.logout();
    const t0 = performance.now();
    await gql(server.url, `mutation S($id: ID!) { syncMailAccount(id: $id) { id } }`, { id: account }, token);
    let counts = { ticketsCreated: 0, commentsCreated: 0 };
    for (;;) {
      counts = (
        await gql(
          server.url,
          `query I($id: ID!) { ticketInbox(id: $id) { ticketsCreated commentsCreated } }`,
          { id: inbox },
          token,
        )
      ).ticketInbox;
      if (counts.ticketsCreated + counts.commentsCreated >= MAILS) break;
      if (performance.now() - t0 > 600_000) {
        errors++;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const mailSeconds = (performance.now() - t0) / 1000;

    // 4. Ten claimers at once drain the queue.
    const tokens = await Promise.all(
      claimers.map(
        async (_c, i) =>
          (
            await gql(
              server.url,
              `mutation L($e: String!, $p: String!) { login(input: { identifier: $e, password: $p }) { accessToken } }`,
              { e: `claimer-${i}-${stamp}@bench.example`, p: BENCH_PASSWORD },
            )
          ).login.accessToken as string,
      ),
    );
    const claimed: string[] = [];
    const c0 = performance.now();
    await Promise.all(
      tokens.map(async (t) => {
        for (;;) {
          const r = (
            await gql(server.url, `mutation C($b: ID!) { claimNextTicket(boardId: $b) { id } }`, { b: queue.id }, t)
          ).claimNextTicket;
          if (!r) return;
          claimed.push(r.id);
        }
      }),
    );
    const claimSeconds = (performance.now() - c0) / 1000;
    if (claimed.length !== QUEUE) errors++;
    return {
      db: db.kind,
      tickets: BOARD_TICKETS,
      states: states.length,
      viewP50Ms: percentile(times, 50),
      viewP99Ms: percentile(times, 99),
      viewStatements: (after.sum - before.sum) / Math.max(1, after.count - before.count),
      mails: MAILS,
      newTickets: counts.ticketsCreated,
      replies: counts.commentsCreated,
      mailsPerSecond: MAILS / mailSeconds,
      queue: QUEUE,
      claimers: CLAIMERS,
      claimsPerSecond: claimed.length / claimSeconds,
      doubleClaims: claimed.length - new Set(claimed).size,
      errors,
    };
  } finally {
    await server.stop();
  }
}
