import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handled } from './handled.js';

export type Behaviour = 'ok' | 'error' | 'slow' | 'http500';

/**
 * How a provider streams tool calls: `openai` (index on every chunk, id and name first, arguments in
 * pieces), `no-index` (no index, id in the first chunk only), `by-id` (no index, id on every chunk,
 * the calls' chunks interleaved), `whole` (one chunk per call with the arguments whole).
 */
export type Dialect = 'openai' | 'no-index' | 'by-id' | 'whole';

/** One scripted answer: text pieces, then tool calls in a dialect. */
export interface Step {
  text?: string[];
  calls?: Array<{ name: string; args: unknown; id?: string }>;
  dialect?: Dialect;
  usage?: { prompt_tokens: number; completion_tokens: number };
  /** Fail after the text (mid-stream): an error chunk, or hang until the client gives up. */
  fail?: 'error' | 'hang';
  /** Waits this long after the text before finishing (a slow model). */
  delayMs?: number;
}

function toolChunks(step: Step): unknown[] {
  const calls = (step.calls ?? []).map((c, i) => ({
    id: c.id ?? `call_${i}_${Math.random().toString(36).slice(2, 8)}`,
    name: c.name,
    args: typeof c.args === 'string' ? c.args : JSON.stringify(c.args),
  }));
  const pieces = (a: string) => [a.slice(0, 3), a.slice(3, 9), a.slice(9)].filter((x) => x.length > 0);
  const chunk = (tool_calls: unknown[]) => ({ choices: [{ index: 0, delta: { tool_calls }, finish_reason: null }] });
  const out: unknown[] = [];
  switch (step.dialect ?? 'openai') {
    case 'openai':
      calls.forEach((c, index) => {
        out.push(chunk([{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }]));
        for (const p of pieces(c.args)) out.push(chunk([{ index, function: { arguments: p } }]));
      });
      break;
    case 'no-index':
      for (const c of calls) {
        out.push(chunk([{ id: c.id, type: 'function', function: { name: c.name } }]));
        for (const p of pieces(c.args)) out.push(chunk([{ function: { arguments: p } }]));
      }
      break;
    case 'by-id': {
      for (const c of calls)
        out.push(chunk([{ id: c.id, type: 'function', function: { name: c.name, arguments: '' } }]));
      const split = calls.map((c) => pieces(c.args));
      for (let k = 0; k < 3; k++)
        calls.forEach(
          (c, i) =>
            split[i]![k] !== undefined && out.push(chunk([{ id: c.id, function: { arguments: split[i]![k] } }])),
        );
      break;
    }
    case 'whole':
      calls.forEach((c, index) =>
        out.push(chunk([{ index, id: c.id, type: 'function', function: { name: c.name, arguments: c.args } }])),
      );
      break;
  }
  return out;
}

/**
 * A local OpenAI-compatible Chat Completions server speaking the streaming protocol: SSE `data:`
 * chunks with choices[0].delta.content, a final chunk carrying usage, then `data: [DONE]`.
 */
export async function startFakeLlm() {
  const requests: Array<{ body: any; headers: IncomingMessage['headers']; receivedAt: number; answeredAt?: number }> =
    [];
  let behaviour: Behaviour = 'ok';
  let reply = ['Hello', ', ', 'world', '!'];
  let usage = { prompt_tokens: 40, completion_tokens: 10 };
  const script: Array<Step | ((body: any) => Step)> = [];
  const server: Server = createServer(
    handled(async (req, res) => {
      const receivedAt = performance.now();
      let raw = '';
      for await (const part of req) raw += part;
      const body = JSON.parse(raw || '{}');
      const request: (typeof requests)[number] = { body, headers: req.headers, receivedAt };
      requests.push(request);
      res.on('finish', () => (request.answeredAt = performance.now()));
      if (behaviour === 'http500') {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'boom' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
      const next = script.shift();
      if (next) {
        const step = typeof next === 'function' ? next(body) : next;
        for (const piece of step.text ?? [])
          send({ choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] });
        if (step.fail === 'hang') return;
        if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
        if (step.fail === 'error') {
          send({ error: { message: 'model overloaded' } });
          res.end();
          return;
        }
        for (const c of toolChunks(step)) send(c);
        send({ choices: [{ index: 0, delta: {}, finish_reason: step.calls?.length ? 'tool_calls' : 'stop' }] });
        send({ choices: [], usage: step.usage ?? usage });
        res.write('data: [DONE]\n\n');
        res.end();
        return;
      }
      if (behaviour === 'slow') {
        send({ choices: [{ delta: { content: 'thinking' } }] });
        return; // never finishes: the client's timeout must end it
      }
      for (const [i, piece] of reply.entries()) {
        // As providers do, the last content chunk carries the finish reason (not when the stream then fails).
        const finish = i === reply.length - 1 && behaviour === 'ok' ? 'stop' : null;
        send({
          id: 'c1',
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta: { content: piece }, finish_reason: finish }],
        });
        await new Promise((r) => setTimeout(r, 5));
      }
      if (behaviour === 'error') {
        send({ error: { message: 'model overloaded' } });
        res.end();
        return;
      }
      send({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage });
      res.write('data: [DONE]\n\n');
      res.end();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    requests,
    /** Answers the next requests with these steps, in order (a function sees the request body). */
    script(...steps: Array<Step | ((body: any) => Step)>) {
      script.push(...steps);
    },
    /** Steps not used yet. */
    get scripted() {
      return script.length;
    },
    set(b: Behaviour, opts: { reply?: string[]; usage?: { prompt_tokens: number; completion_tokens: number } } = {}) {
      behaviour = b;
      if (opts.reply) reply = opts.reply;
      if (opts.usage) usage = opts.usage;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
