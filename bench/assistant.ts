import { readFileSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BenchDatabase, gql, percentile, startServerProcess } from './lib.js';
import { benchEnv } from './seed.js';
import { handled } from '../tests/helpers/handled.js';

const TURNS = Number(process.env.BENCH_ASSISTANT_TURNS ?? 150);
const ROUNDS = 3;
const SEND = `mutation S($c: ID!, $t: String!) { sendMessage(conversationId: $c, content: $t) { assistantMessage { id } } }`;

export interface AssistantRun {
  /** Server CPU (user + system) per turn, ms. */
  plainCpuMs: number;
  toolsCpuMs: number;
  /** Wall time per turn seen by the client, minus the provider's own time, ms (p50, p99). */
  plainServerMs: [number, number];
  toolsServerMs: [number, number];
}

export interface AssistantResult {
  db: string;
  runs: AssistantRun[];
  /** Median over rounds: server CPU of one tool round trip (a 3-call turn minus a plain turn), and per tool call. */
  roundTripCpuMs: number;
  perCallCpuMs: number;
  errors: number;
}

/** A local Chat Completions provider: a turn with tools asks for 3 calls, then answers; it records its own time. */
function provider() {
  const spent: number[] = [];
  const server = createServer(
    handled(async (req: IncomingMessage, res: ServerResponse) => {
      const started = performance.now();
      let raw = '';
      for await (const part of req) raw += part;
      const body = JSON.parse(raw) as { messages: Array<{ role: string; content: string | null }> };
      const last = body.messages.at(-1)!;
      const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const wantsTools = last.role === 'user' && last.content?.startsWith('tools:');
      if (wantsTools) {
        const listId = last.content!.slice(6);
        const calls = [
          { name: 'search_tasks', args: { query: 'bench' } },
          { name: 'create_task', args: { listId, title: 'Benchmark task' } },
          { name: 'search_documents', args: { query: 'bench' } },
        ];
        calls.forEach((c, index) =>
          send({
            choices: [
              {
                index: 0,
                delta: {
                  tool_calls: [
                    {
                      index,
                      id: `call_${index}`,
                      type: 'function',
                      function: { name: c.name, arguments: JSON.stringify(c.args) },
                    },
                  ],
                },
              },
            ],
          }),
        );
        send({ choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] });
      } else {
        for (const piece of ['Done', ', ', 'thanks.']) send({ choices: [{ index: 0, delta: { content: piece } }] });
        send({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
      }
      send({ choices: [], usage: { prompt_tokens: 50, completion_tokens: 10 } });
      res.end('data: [DONE]\n\n');
      spent.push(performance.now() - started);
    }),
  );
  return { server, spent };
}

function cpuMsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  // utime and stime (fields 14 and 15 of the whole line) in clock ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * The assistant's own cost, with a local provider that answers at once: turns that call 3 tools
 * (two model calls, three actions) and plain turns (one model call), alternating in rounds on the
 * same server. Server CPU from /proc; latency is the client's wall time minus the provider's time.
 */
export async function assistantBench(db: BenchDatabase): Promise<AssistantResult> {
  const llm = provider();
  await new Promise<void>((r) => llm.server.listen(0, '127.0.0.1', r));
  const llmUrl = `http://127.0.0.1:${(llm.server.address() as AddressInfo).port}/v1`;
  const server = await startServerProcess(
    benchEnv({ ...db.env, LLM_BASE_URL: llmUrl, LLM_MODEL: 'bench', TIER_LIMIT_FREE: '2000000000' }),
  );
  let errors = 0;
  try {
    const email = `assistant-${Date.now()}@bench.example`;
    const reg = await gql(
      server.url,
      `mutation R($e: String!) { register(input: { email: $e, password: "bench-password-42" }) { accessToken } }`,
      { e: email },
    );
    const token = reg.register.accessToken as string;
    const listId = (await gql(server.url, `mutation { createTaskList(input: { name: "Bench" }) { id } }`, {}, token))
      .createTaskList.id as string;
    const turn = async (text: string): Promise<number> => {
      // A new conversation per turn keeps the prompt the same size throughout.
      const c = (await gql(server.url, `mutation { createConversation { id } }`, {}, token)).createConversation.id;
      const before = llm.spent.length;
      const started = performance.now();
      try {
        await gql(server.url, SEND, { c, t: text }, token);
      } catch {
        errors++;
      }
      const wall = performance.now() - started;
      return wall - llm.spent.slice(before).reduce((a, b) => a + b, 0);
    };
    const measure = async (text: string) => {
      for (let i = 0; i < 10; i++) await turn(text); // warm-up
      const cpu0 = cpuMsOf(server.pid);
      const server_: number[] = [];
      for (let i = 0; i < TURNS; i++) server_.push(await turn(text));
      const cpu = (cpuMsOf(server.pid) - cpu0) / TURNS;
      server_.sort((a, b) => a - b);
      return { cpu, lat: [percentile(server_, 50), percentile(server_, 99)] as [number, number] };
    };
    const runs: AssistantRun[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const plain = await measure('hello');
      const tools = await measure(`tools:${listId}`);
      runs.push({ plainCpuMs: plain.cpu, toolsCpuMs: tools.cpu, plainServerMs: plain.lat, toolsServerMs: tools.lat });
    }
    const diffs = runs.map((x) => x.toolsCpuMs - x.plainCpuMs).sort((a, b) => a - b);
    const roundTrip = diffs[Math.floor(diffs.length / 2)] ?? NaN;
    return { db: db.kind, runs, roundTripCpuMs: roundTrip, perCallCpuMs: roundTrip / 3, errors };
  } finally {
    await server.stop();
    llm.server.close();
  }
}
