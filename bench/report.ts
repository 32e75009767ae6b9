import type { LoadResult } from './load.js';
import type { Results } from './results.js';

const f0 = (v: number) => v.toFixed(0);
const f1 = (v: number) => v.toFixed(1);
const f2 = (v: number) => v.toFixed(2);
const median = (values: number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const rate = (r: LoadResult) => `${f0(r.rps)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms`;
/** A latency measured to the microsecond (bench/probe.ts). */
const fine = (r: LoadResult) => `${f0(r.rps)} req/s, p50 ${f2(r.p50)} ms, p99 ${f2(r.p99)} ms`;
const met = (ok: boolean) => (ok ? '**met**' : '**not met**');
const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** bench/RESULTS.md from one run's results. */
export function report(header: string, r: Results): string {
  const out: string[] = ['# Benchmark results', '', header, ''];
  const targets: string[][] = [];
  const section = (title: string, text: string[], head: string[], rows: string[][]) =>
    out.push(`## ${title}`, '', ...text, '', table(head, rows), '');

  if (r.nested) {
    const n = r.nested;
    const m = median(n.ratios);
    targets.push([
      '1. Nested read vs the floor (PostgreSQL)',
      'at least 0.5 of the floor’s req/s',
      `${f2(m)} (rounds ${n.ratios.map(f2).join(', ')})`,
      met(m >= 0.5),
    ]);
    section(
      '1. Nested read: Orbit against a minimal fastify route (PostgreSQL)',
      [
        'The task issue’s query run by a member of 10 of the measured user’s lists, `tasks(first: 20)`: 10 lists × 20 tasks × 3 labels,',
        `with assignee, creator and members (${f0(n.bytes / 1024)} KB of JSON). The floor (bench/floor.ts) sends the same statements the same`,
        'way (unnamed, rows as arrays, users batched per tick with DataLoader as Orbit does), remembers verified tokens as Orbit does, and',
        'builds the same JSON by hand; the run checks its answer is identical to Orbit’s before measuring. 10 connections, 10 s per run',
        `after a 3 s warm-up, Orbit and floor alternating for ${n.ratios.length} rounds; the verdict is the median ratio. Statements per request over the runs: Orbit ${f2(n.statements)}, floor ${f2(n.floorStatements)}`,
        '(the members’ users and the tasks’ users are one batch or two, depending on timing, in both).',
      ],
      ['round', 'Orbit', 'floor', 'Orbit / floor (req/s)'],
      n.orbit.map((o, i) => [String(i + 1), rate(o), rate(n.floor[i]!), f2(n.ratios[i]!)]),
    );
  }

  const auth = Object.entries(r.auth);
  if (auth.length) {
    section(
      '2. The cost of authentication',
      [
        '`{ me { id } }` with a Bearer access token against `{ __typename }` without one, same server, alternating, 10 connections.',
        'A token verified once is answered from memory until its session or user changes (VIEWER_CACHE_*); the last row of each',
        'database turns that cache off.',
      ],
      ['database', 'round', '`{ __typename }`', '`{ me { id } }`', 'me / typename'],
      auth.flatMap(([db, a]) => [
        ...a.me.map((m, i) => [db, String(i + 1), rate(a.anonymous[i]!), rate(m), f2(a.ratios[i]!)]),
        [db, 'cache off', rate(a.uncached.anonymous), rate(a.uncached.me), f2(a.uncached.ratio)],
      ]),
    );
    for (const [db, a] of auth) {
      const m = median(a.ratios);
      targets.push([
        `2. me vs __typename (${db})`,
        'at least 0.8',
        `${f2(m)} (cache off: ${f2(a.uncached.ratio)})`,
        met(m >= 0.8),
      ]);
    }
  }

  const login = Object.entries(r.login);
  if (login.length) {
    section(
      '3. Login storm',
      [
        '8 clients log in as fast as they can (100 seeded users, argon2id 19 MiB, t=2, p=1), while 2 other clients ask `{ me { id } }`;',
        'before the storm the same 2 clients ran alone. The server has one core for its event loop and its argon2 threads.',
      ],
      ['database', 'logins', '`me` alone', '`me` during the storm'],
      login.map(([db, l]) => [
        db,
        `${f1(l.logins.rps)}/s, p50 ${l.logins.p50} ms, p99 ${l.logins.p99} ms`,
        rate(l.quiet),
        rate(l.during),
      ]),
    );
    for (const [db, l] of login)
      targets.push([
        `3. Login storm (${db})`,
        'event loop stays responsive',
        `${f1(l.logins.rps)} logins/s; me p99 ${l.during.p99} ms (alone ${l.quiet.p99} ms)`,
        '(no number set)',
      ]);
  }

  const muts = Object.entries(r.mutations);
  if (muts.length) {
    section(
      '4. Mutation throughput',
      [
        '`createTask` into 10 shared lists with an assignee: the task, its activity row, a TASK_ASSIGNED notification and its NOTIFY in',
        'one transaction. 10 connections. Afterwards the database is counted: one task, one activity and one notification per call.',
      ],
      ['database', 'createTask', 'answered', 'rows: tasks / activities / notifications'],
      muts.map(([db, m]) => [
        db,
        rate(m.load),
        String(m.load.requests),
        `${m.rows.tasks} / ${m.rows.activities} / ${m.rows.notifications}`,
      ]),
    );
    for (const [db, m] of muts)
      targets.push([
        `4. createTask throughput (${db})`,
        'measured on both databases',
        `${f0(m.load.rps)}/s, p99 ${m.load.p99} ms`,
        '(no number set)',
      ]);
  }

  if (r.fanout.length) {
    section(
      '5. Subscription fan-out and memory',
      [
        'N graphql-ws connections of one user, each with its own session and access token, each subscribed to `notificationAdded`.',
        'Memory is read three times, each after 30 s idle (V8’s memory reducer has finished giving pages back), a burst of',
        'short-lived allocation (so the young generation has the same size in every reading) and a full GC: before connecting',
        '(after a warm-up of 200 sockets opened and closed), with N/2 and with N connected. “Per connection” divides the growth',
        'from none to N by N; “marginal” divides the growth from N/2 to N by N/2, which leaves out what grows once (parser pools,',
        'JIT code). The memory that connections take is anonymous (V8 heap, malloc, socket buffers): the RSS columns count',
        'anonymous resident memory (RssAnon). Total RSS also counts file-backed pages (the code of node and its libraries), which',
        'this VM’s kernel pages out when they turn cold (DAMON reclaim) and reads back when they are used: it moved by tens of MB',
        'between readings for reasons unrelated to connections, so it is shown, but the target is read on anonymous memory. On',
        'PGlite the database runs in the server process: its page cache grows while N connections each read their own session',
        'row, and that growth is part of these figures.',
        '',
        'Then one notification (`shareTaskList` to that user) is delivered to all N: latency from the notification row’s',
        '`created_at` (same clock) and from the moment the mutation was sent.',
      ],
      [
        'database',
        'N',
        'RSS (anon) / connection',
        'RSS (anon) marginal',
        'total RSS / connection',
        'heap / connection',
        'from the event p50 / p95 / p99',
        'from the request p50 / p95 / p99',
        'delivered',
      ],
      r.fanout.map(({ db, result: x }) => [
        db,
        String(x.connections),
        `${f1(x.anonPerConnectionKB)} KB`,
        `${f1(x.anonMarginalKB)} KB`,
        `${f1(x.rssPerConnectionKB)} KB (marginal ${f1(x.rssMarginalKB)})`,
        `${f1(x.heapPerConnectionKB)} KB (marginal ${f1(x.heapMarginalKB)})`,
        `${x.fromEvent.p50} / ${x.fromEvent.p95} / ${x.fromEvent.p99} ms`,
        `${f0(x.fromRequest.p50)} / ${f0(x.fromRequest.p95)} / ${f0(x.fromRequest.p99)} ms`,
        `${x.delivered}/${x.connections}`,
      ]),
    );
    for (const { db, result: x } of r.fanout) {
      // Memory cannot shrink as connections are added: a negative reading is a wrong reading, not a pass.
      const verdict = x.anonMarginalKB <= 0 ? '**reading invalid**' : met(x.anonMarginalKB < 15);
      targets.push([
        `5. RSS per idle subscribed connection (${db}, ${x.connections})`,
        'under 15 KB',
        `${f1(x.anonMarginalKB)} KB marginal anonymous RSS (from none: ${f1(x.anonPerConnectionKB)} KB; live heap ${f1(x.heapMarginalKB)} KB)`,
        verdict,
      ]);
      if (x.connections === 1000)
        targets.push([
          `5. Delivery p95, 1,000 subscribers (${db})`,
          'under 100 ms',
          `${f0(x.fromRequest.p95)} ms from the request (${x.fromEvent.p95} ms from the event)`,
          met(x.fromRequest.p95 < 100),
        ]);
    }
  }

  const cold = Object.entries(r.coldStart);
  if (cold.length) {
    section(
      '6. Cold start',
      [
        'From spawning the server process (as `npm start` runs it: `node dist/main.js`, the build) to the first 200 from `/readyz`,',
        'polled every 10 ms, the server pinned to one core. “Empty”: a new data directory or database, so migrations run (a new PGlite',
        'directory is unpacked from the migrated template the build packs, instead of initdb inside WebAssembly); “existing”: the same',
        'one again. npm’s own start-up is not included. The database opens while the server’s modules load.',
      ],
      ['database', 'empty: runs (ms)', 'empty: median', 'existing: runs (ms)', 'existing: median'],
      cold.map(([db, c]) => [
        db,
        c.empty.map(f0).join(', '),
        `${f0(median(c.empty))} ms`,
        c.existing.map(f0).join(', '),
        `${f0(median(c.existing))} ms`,
      ]),
    );
    for (const [db, c] of cold) {
      const e = median(c.empty);
      const x = median(c.existing);
      if (db === 'PGlite') {
        targets.push([
          '6. Cold start to /readyz, existing PGlite directory',
          'under 1.5 s',
          `${f0(x)} ms`,
          met(x < 1500),
        ]);
        targets.push(['6. Cold start to /readyz, empty PGlite directory', 'under 3 s', `${f0(e)} ms`, met(e < 3000)]);
      } else {
        targets.push([
          '6. Cold start to /readyz, existing PostgreSQL database',
          'under 1 s',
          `${f0(x)} ms (empty: ${f0(e)} ms)`,
          met(x < 1000),
        ]);
      }
    }
  }

  if (r.hostile) {
    const h = r.hostile;
    const p99 = (runs: typeof h.admitted, key: 'alone' | 'underLoad') => median(runs.map((x) => x[key].p99));
    const admittedP99 = p99(h.admitted, 'underLoad');
    targets.push([
      '7. `{ __typename }` p99 while 8 anonymous clients send the heaviest admitted documents',
      'under 50 ms',
      `${f1(admittedP99)} ms (alone ${f2(p99(h.admitted, 'alone'))} ms; ratio ${f1(median(h.admittedRatios))})`,
      met(admittedP99 < 50),
    ]);
    section(
      '7. Anonymous documents that cost work',
      [
        'One client sends `{ __typename }` (one connection, one request at a time) alone, then while 8 anonymous clients send',
        'documents built to be expensive, alternating for the rounds below. “Admitted”: the heaviest documents the default limits',
        '(LIMIT_TOKENS, LIMIT_FIELDS, LIMIT_SAME_NAME, aliases, depth, bytes) let through to validation: the same name selected as',
        'often as allowed, unknown fields up to the error limit, a fragment chain, nesting to the depth limit, a 100 KB comment',
        '(bench/hostile-documents.ts). “Reported”: the documents of the report that found the fault (600 aliased `me { id }`,',
        '85 KB of repeated fields, 5,000 fragment spreads), now refused before validation.',
        `HTTP status of each document: ${Object.entries(h.statuses)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}.`,
      ],
      ['documents', 'round', '`{ __typename }` alone', 'under load', 'p99 ratio', 'hostile clients'],
      [
        ...h.admitted.map((x, i) => [
          'admitted',
          String(i + 1),
          fine(x.alone),
          fine(x.underLoad),
          f1(h.admittedRatios[i]!),
          `${f0(x.hostile.rps)} req/s`,
        ]),
        ...h.reported.map((x, i) => [
          'reported',
          String(i + 1),
          fine(x.alone),
          fine(x.underLoad),
          f1(h.reportedRatios[i]!),
          `${f0(x.hostile.rps)} req/s`,
        ]),
      ],
    );
  }

  if (r.assistant?.length) {
    for (const a of r.assistant) {
      const tools = median(a.runs.map((x) => x.toolsServerMs[0]));
      targets.push([
        `8. Assistant (${a.db}): Orbit's CPU per tool round trip (3 calls) / per call`,
        'measured',
        `${f1(a.roundTripCpuMs)} ms / ${f1(a.perCallCpuMs)} ms; 3-call turn server-side p50 ${f1(tools)} ms`,
        '',
      ]);
    }
    section(
      '8. The assistant: Orbit’s own cost of tool calls',
      [
        'A local Chat Completions provider in the benchmark process answers at once: a “tools” turn asks for 3 calls',
        '(search_tasks, create_task, search_documents) then answers (2 model calls, 3 actions, 3 TOOL messages); a “plain” turn',
        'answers at once (1 model call). Each turn is a new conversation; turns run one at a time, plain and tools alternating in',
        'rounds on the same server (pinned to one core). CPU: the server process’s user + system time per turn (/proc, 10 ms ticks,',
        'over all turns of a round). Server-side latency: the client’s wall time per sendMessage minus the provider’s own time.',
        'One tool round trip = tools turn − plain turn (one more model call, three actions).',
      ],
      [
        'database',
        'round',
        'plain turn CPU',
        'tools turn CPU',
        'round trip CPU',
        'plain server-side p50 / p99',
        'tools server-side p50 / p99',
      ],
      r.assistant.flatMap((a) =>
        a.runs.map((x, i) => [
          a.db,
          String(i + 1),
          `${f1(x.plainCpuMs)} ms`,
          `${f1(x.toolsCpuMs)} ms`,
          `${f1(x.toolsCpuMs - x.plainCpuMs)} ms`,
          `${f1(x.plainServerMs[0])} / ${f1(x.plainServerMs[1])} ms`,
          `${f1(x.toolsServerMs[0])} / ${f1(x.toolsServerMs[1])} ms`,
        ]),
      ),
    );
  }

  if (r.search?.length) {
    for (const x of r.search) {
      targets.push([
        `9. Search (${x.db}, ${x.items.toLocaleString('en-US')} items, ${x.userItems.toLocaleString('en-US')} the user's)`,
        'measured',
        `TEXT p50 ${f1(x.text.p50)} / p99 ${f1(x.text.p99)} ms; HYBRID p50 ${f1(x.hybrid.p50)} / p99 ${f1(x.hybrid.p99)} ms${x.hybridSemantic ? '' : ' (answered as TEXT: no pgvector)'}`,
        '',
      ]);
      if (x.recall)
        targets.push([
          `9. HNSW recall@10 vs exact (${x.db})`,
          'measured',
          `${f2(x.recall.efSearch40)} (ef_search 40), ${f2(x.recall.efSearch100)} (ef_search 100); embedding jobs ${f0(x.jobsPerSecond ?? 0)}/s`,
          '',
        ]);
    }
    section(
      '9. Search over the whole workspace',
      [
        'Ten users with 10,000 items each (40% tasks in 10 lists, 20% documents, 20% journal entries, 20% events; 100,000 in all), texts',
        'drawn from a vocabulary of 8 concepts and filler words. One user searches through `POST /graphql` (`first: 20`, one or two',
        'words, 200 queries per mode after 20 warm-up, one at a time), TEXT then HYBRID. On PGlite every item has a 128-dimension',
        'vector from a local provider (the same vocabulary, concept words sharing a direction); HYBRID embeds the query (one provider',
        'call) and fuses the text and HNSW rankings. Recall@10: the HNSW index (iterative scan, as searches use it) against exact',
        'search on the same vectors, 50 queries over the whole table; an index hit counts when it is as near as the exact 10th neighbour (many texts tie). Jobs per second: 2,000 of the user’s documents changed, the',
        'server’s worker re-embedding them with the local provider. The PostgreSQL server has no pgvector: HYBRID answers as TEXT.',
      ],
      [
        'database',
        'TEXT p50 / p99',
        'HYBRID p50 / p99',
        'recall@10 (ef 40 / 100)',
        'HNSW build',
        'embedding jobs/s',
        'TEXT p50 / p99 while embedding',
        'seeding',
      ],
      r.search.map((x) => [
        x.db,
        `${f1(x.text.p50)} / ${f1(x.text.p99)} ms`,
        `${f1(x.hybrid.p50)} / ${f1(x.hybrid.p99)} ms${x.hybridSemantic ? '' : ' (TEXT)'}`,
        x.recall ? `${f2(x.recall.efSearch40)} / ${f2(x.recall.efSearch100)}` : '–',
        x.indexBuildS !== undefined ? `${f1(x.indexBuildS)} s` : '–',
        x.jobsPerSecond !== undefined ? f0(x.jobsPerSecond) : '–',
        x.textWhileEmbedding
          ? `${f1(x.textWhileEmbedding.p50)} / ${f1(x.textWhileEmbedding.p99)} ms (${x.textWhileEmbedding.n} queries)`
          : '–',
        `${f0(x.seedS)} s`,
      ]),
    );
  }

  if (r.mail?.length) {
    for (const x of r.mail) {
      targets.push([
        `10. Mail (${x.db}): first sync of ${x.messages.toLocaleString('en-US')} messages from Dovecot`,
        'measured',
        `${f0(x.messagesPerSecond)} messages/s (${f1(x.firstSyncS)} s), peak RSS ${f0(x.peakRssMb)} MB; APPEND → EMAIL_RECEIVED median ${f0(median(x.receivedMs))} ms`,
        '',
      ]);
    }
    section(
      '10. Email: first sync and new-mail delay',
      [
        'A local Dovecot (the tests’ harness) with 5,000 text messages of about 2.5 KB in INBOX, put there over IMAP APPEND. The built',
        'server (pinned to one core) connects the account and syncs: time from connectMailAccount to IDLE with every message stored,',
        'and the server process’s peak RSS (VmHWM) against its RSS before connecting. Then 5 times: APPEND one message and poll',
        '`notifications` until its EMAIL_RECEIVED is there; syncs run every MAIL_SYNC_INTERVAL_S=1 second (no IDLE), so the delay',
        'is bounded by that interval plus the sync itself.',
      ],
      ['database', 'first sync', 'messages/s', 'RSS before → peak', 'APPEND → EMAIL_RECEIVED (ms, each round)'],
      r.mail.map((x) => [
        x.db,
        `${f1(x.firstSyncS)} s`,
        f0(x.messagesPerSecond),
        `${f0(x.idleRssMb)} → ${f0(x.peakRssMb)} MB`,
        x.receivedMs.map(f0).join(', '),
      ]),
    );
  }

  if (r.tracker?.length) {
    for (const x of r.tracker) {
      targets.push([
        `11. Tracker (${x.db}): board of ${x.tickets.toLocaleString('en-US')} tickets viewed 50 at a time; ${x.mails.toLocaleString('en-US')} inbound mails; ${x.claimers} claimers`,
        'statements constant; no double claim',
        `view p50 ${f1(x.viewP50Ms)} ms, p99 ${f1(x.viewP99Ms)} ms, ${f1(x.viewStatements)} statements; ${f0(x.mailsPerSecond)} mails/s; ${f0(x.claimsPerSecond)} claims/s, ${x.doubleClaims} doubles`,
        x.doubleClaims === 0 ? 'met' : 'missed',
      ]);
    }
    section(
      '11. Tracker: a large board, inbound mail, concurrent claims',
      [
        'Through the built server over HTTP (pinned to one core), on each database. A board of 10,000 tickets in 6 states (half',
        'assigned, a third with 3 labels, a quarter with a comment) is viewed 300 times, each view the board with its states and',
        'the next page of 50 tickets of one state (cycling the states) with each ticket’s state, assignee, labels and comment count:',
        'latency per view and SQL statements per view (from /metrics). Then 1,000 messages are APPENDed to the inbox’s INBOX on a',
        'local Dovecot (600 new requests from 200 senders, 400 replies by In-Reply-To) and one sync is asked for: mails per second',
        'from the request to every message being a ticket or a comment. Then 10 members call claimNextTicket in loops until the',
        'queue of 1,000 accepted tickets is empty: claims per second, and tickets claimed twice (must be 0).',
      ],
      [
        'database',
        'view p50 / p99',
        'statements per view',
        'inbound mails/s (new, replies)',
        'claims/s',
        'double claims',
      ],
      r.tracker.map((x) => [
        x.db,
        `${f1(x.viewP50Ms)} / ${f1(x.viewP99Ms)} ms`,
        f1(x.viewStatements),
        `${f0(x.mailsPerSecond)} (${x.newTickets}, ${x.replies})`,
        f0(x.claimsPerSecond),
        String(x.doubleClaims),
      ]),
    );
  }

  if (r.capture?.length) {
    for (const x of r.capture) {
      targets.push([
        `12. Capture (${x.db}): parseQuickAdd over its ${x.lines}-line table; projects read of ${x.projects} projects`,
        'statements constant',
        `parse p50 ${x.parseP50Us} µs, p99 ${x.parseP99Us} µs; query p50 ${f1(x.queryP50Ms)} ms (${f1(x.queryStatements)} statements); projects p50 ${f1(x.projectsP50Ms)} ms (${f1(x.projectsStatements)} statements)`,
        'measured',
      ]);
      const v = x.voice;
      targets.push([
        `12. Voice (${x.db}): ${v.uploadClients} clients upload ${f1(v.uploadMb)} MB each at once`,
        'RSS < 200 MB above idle',
        `${v.peakRssAboveIdleMb} MB above idle (${v.uploadsReceived}/${v.uploadClients} received; the one upload before: +${v.warmUpMb} MB)`,
        v.peakRssAboveIdleMb < 200 && v.uploadsReceived === v.uploadClients ? 'met' : 'missed',
      ]);
    }
    section(
      '12. Capture: the quick-add grammar and projects',
      [
        'parseQuickAdd as a function over every line of tests/unit/quick-add-table.ts, 200 rounds (per call, in the bench process).',
        'Then through the built server over HTTP (pinned to one core), on each database, for a user with 10 lists, 10 labels and 20',
        'projects of 30 tasks: the parseQuickAdd query for every line, 5 rounds (each call reads the viewer’s lists, projects and',
        'labels), and 50 reads of every project with its area, sections, progress and first 20 tasks (each with list, project,',
        'section and labels). Statements per operation from /metrics.',
      ],
      [
        'database',
        'parse p50 / p99',
        'query p50 / p99',
        'statements per query',
        'projects read p50 / p99',
        'statements per read',
      ],
      r.capture.map((x) => [
        x.db,
        `${x.parseP50Us} / ${x.parseP99Us} µs`,
        `${f1(x.queryP50Ms)} / ${f1(x.queryP99Ms)} ms`,
        f1(x.queryStatements),
        `${f1(x.projectsP50Ms)} / ${f1(x.projectsP99Ms)} ms`,
        f1(x.projectsStatements),
      ]),
    );
    section(
      '12b. Voice: a spoken capture end to end, and uploads under load',
      [
        'The same server with the STT peer (tests/helpers/stt-peer.ts) and the fake model as its providers, both in the bench',
        'process and answering at once. Each round: PUT of a one-minute OGG (espeak-ng speech, sox) → createVoiceCapture → its',
        'suggestions on captureChanged (NEEDS_REVIEW), p50 of 5 rounds. The transcription call is timed by the peer from its',
        'first byte to its answer (it includes Orbit streaming the audio out of the database), the triage call likewise by the',
        'fake model; Orbit’s own time is the rest (the mutation, the jobs, the database). Then one 25 MB WAV is uploaded (on',
        'PGlite the embedded database’s caches grow to their working size in the server process), and 10 clients PUT 25 MB each',
        'at once while the server’s RSS is sampled every 20 ms.',
      ],
      [
        'database',
        'audio',
        'end to end p50',
        'upload',
        'transcription call',
        'triage call',
        'Orbit',
        '10 × 25 MB at once: RSS above idle',
      ],
      r.capture.map((x) => [
        x.db,
        `${f1(x.voice.audioSeconds)} s, ${Math.round(x.voice.audioBytes / 1024)} KB`,
        `${f1(x.voice.endToEndP50Ms)} ms`,
        `${f1(x.voice.uploadP50Ms)} ms`,
        `${f1(x.voice.transcriptionCallP50Ms)} ms`,
        `${f1(x.voice.triageCallP50Ms)} ms`,
        `${f1(x.voice.orbitP50Ms)} ms`,
        `${x.voice.peakRssAboveIdleMb} MB (idle ${x.voice.idleRssMb} MB)`,
      ]),
    );
  }

  return [
    ...out.slice(0, 4),
    '## Targets',
    '',
    table(['figure', 'target', 'this run', ''], targets),
    '',
    ...out.slice(4),
  ].join('\n');
}
