import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Behaviour = 'ok' | 'error' | 'slow' | 'http500';

/**
 * A local OpenAI-compatible Chat Completions server speaking the streaming protocol: SSE `data:`
 * chunks with choices[0].delta.content, a final chunk carrying usage, then `data: [DONE]`.
 */
export async function startFakeLlm() {
  const requests: Array<{ body: any; headers: IncomingMessage['headers'] }> = [];
  let behaviour: Behaviour = 'ok';
  let reply = ['Hello', ', ', 'world', '!'];
  let usage = { prompt_tokens: 40, completion_tokens: 10 };
  const server: Server = createServer(async (req, res) => {
    let raw = '';
    for await (const part of req) raw += part;
    const body = JSON.parse(raw || '{}');
    requests.push({ body, headers: req.headers });
    if (behaviour === 'http500') {
      res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'boom' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    if (behaviour === 'slow') {
      send({ choices: [{ delta: { content: 'thinking' } }] });
      return; // never finishes: the client's timeout must end it
    }
    for (const [i, piece] of reply.entries()) {
      // As providers do, the last content chunk carries the finish reason (not when the stream then fails).
      const finish = i === reply.length - 1 && behaviour === 'ok' ? 'stop' : null;
      send({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: piece }, finish_reason: finish }] });
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
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return {
    url,
    requests,
    set(b: Behaviour, opts: { reply?: string[]; usage?: { prompt_tokens: number; completion_tokens: number } } = {}) {
      behaviour = b;
      if (opts.reply) reply = opts.reply;
      if (opts.usage) usage = opts.usage;
    },
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
