import { performance } from 'node:perf_hooks';
import { parseQuickAdd } from '../src/modules/capture/quick-add.js';
import { names, now, table, zone } from '../tests/unit/quick-add-table.js';
import { type BenchDatabase, gql, percentile, startServerProcess, statementsOf } from './lib.js';
import { BENCH_PASSWORD, benchEnv } from './seed.js';
import { startFakeLlm } from '../tests/helpers/fake-llm.js';
import { startSttPeer } from '../tests/helpers/stt-peer.js';
import { type VoiceFigures, voiceFigures } from './voice.js';

const ROUNDS = Number(process.env.BENCH_CAPTURE_ROUNDS ?? 200);
const HTTP_ROUNDS = Number(process.env.BENCH_CAPTURE_HTTP_ROUNDS ?? 5);
const PROJECTS = 20;
const TASKS_PER_PROJECT = 30;

export interface CaptureBenchResult {
  db: string;
  lines: number;
  /** parseQuickAdd as a function, per line (microseconds). */
  parseP50Us: number;
  parseP99Us: number;
  /** The parseQuickAdd query over HTTP, per line (the viewer's names read each time). */
  queryP50Ms: number;
  queryP99Ms: number;
  queryStatements: number;
  /** Projects with area, sections, progress and 20 tasks each (with list, project, section, labels). */
  projects: number;
  projectsP50Ms: number;
  projectsP99Ms: number;
  projectsStatements: number;
  voice: VoiceFigures;
  errors: number;
}

const QUERY = `query Q($t: String!) { parseQuickAdd(text: $t) { title dueAt dueAllDay listId projectId labelIds priority tokens { kind start end } unknownNames } }`;
const PROJECT_READ = `query P { projects { id area { name } sections { name } progress { total done percent }
  tasks(first: 20) { totalCount edges { node { id title list { id } project { id } section { name } labels { id } } } } } }`;

async function timed(n: number, call: () => Promise<unknown>): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await call();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}

/**
 * The quick-add grammar in process (every line of the test table, ROUNDS times), then through the
 * built server over HTTP on one database: parseQuickAdd for each line with a user's 10 lists, 10
 * projects and 10 labels, and the projects read of 20 projects × 30 tasks.
 */
export async function captureBench(db: BenchDatabase): Promise<CaptureBenchResult> {
  const lines = table.map(([text]) => text);
  const parse: number[] = [];
  for (let r = 0; r < ROUNDS; r++)
    for (const text of lines) {
      const t = performance.now();
      parseQuickAdd(text, { now, zone, names });
      parse.push((performance.now() - t) * 1000);
    }
  parse.sort((a, b) => a - b);

  let errors = 0;
  const [stt, llm] = await Promise.all([startSttPeer(), startFakeLlm()]);
  const server = await startServerProcess(
    benchEnv({ ...db.env, METRICS: 'true', STT_BASE_URL: stt.url, LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-1' }),
  );
  try {
    const register = async (tag: string) =>
      (
        await gql(
          server.url,
          `mutation R($e: String!, $p: String!) { register(input: { email: $e, password: $p }) { accessToken } }`,
          { e: `${tag}-${Date.now()}@bench.example`, p: BENCH_PASSWORD },
        )
      ).register.accessToken as string;
    const token = await register('capture');
    const call = (q: string, v: Record<string, unknown> = {}) =>
      gql(server.url, q, v, token).catch(() => {
        errors++;
      });
    const listIds: string[] = [];
    for (const [i, n] of [
      'Work',
      'Groceries',
      'Home stuff',
      ...Array.from({ length: 7 }, (_, k) => `L${k}`),
    ].entries()) {
      const id = (await call(`mutation C($n: String!) { createTaskList(input: { name: $n }) { id } }`, { n }))
        ?.createTaskList.id as string;
      if (i === 0) listIds.push(id);
    }
    for (const n of ['errand', 'phone', 'Deep work', ...Array.from({ length: 7 }, (_, k) => `tag${k}`)])
      await call(`mutation C($n: String!) { createLabel(input: { name: $n }) { id } }`, { n });
    const area = (await call(`mutation { createArea(name: "Bench") { id } }`))?.createArea.id as string;
    for (let p = 0; p < PROJECTS; p++) {
      const name = p === 0 ? 'Renovation' : p === 1 ? 'Q1 Launch' : `Project ${p}`;
      const id = (
        await call(`mutation C($n: String!, $a: ID) { createProject(input: { name: $n, areaId: $a }) { id } }`, {
          n: name,
          a: area,
        })
      )?.createProject.id as string;
      const sec = (
        await call(`mutation S($p: ID!) { createProjectSection(projectId: $p, name: "Now") { id } }`, { p: id })
      )?.createProjectSection.id as string;
      for (let t = 0; t < TASKS_PER_PROJECT; t++)
        await call(`mutation T($i: CreateTaskInput!) { createTask(input: $i) { id } }`, {
          i: { listId: listIds[0], title: `t${p}.${t}`, projectId: id, sectionId: t % 2 ? sec : null },
        });
    }
    const before = await statementsOf(server.url, 'Q');
    const query: number[] = [];
    for (let r = 0; r < HTTP_ROUNDS; r++)
      for (const t of lines) query.push(...(await timed(1, () => call(QUERY, { t }))));
    query.sort((a, b) => a - b);
    const after = await statementsOf(server.url, 'Q');
    const p0 = await statementsOf(server.url, 'P');
    const projects = await timed(50, () => call(PROJECT_READ));
    const p1 = await statementsOf(server.url, 'P');
    const voice = await voiceFigures(
      server.url,
      server.pid,
      [token, await register('voice')],
      stt,
      llm,
      () => errors++,
    );
    return {
      db: db.kind,
      lines: lines.length,
      parseP50Us: Math.round(percentile(parse, 50)),
      parseP99Us: Math.round(percentile(parse, 99)),
      queryP50Ms: Number(percentile(query, 50).toFixed(1)),
      queryP99Ms: Number(percentile(query, 99).toFixed(1)),
      queryStatements: (after.sum - before.sum) / Math.max(1, after.count - before.count),
      projects: PROJECTS,
      projectsP50Ms: Number(percentile(projects, 50).toFixed(1)),
      projectsP99Ms: Number(percentile(projects, 99).toFixed(1)),
      projectsStatements: (p1.sum - p0.sum) / Math.max(1, p1.count - p0.count),
      voice,
      errors,
    };
  } finally {
    await server.stop();
    await Promise.all([stt.close(), llm.close()]);
  }
}
