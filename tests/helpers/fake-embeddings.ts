import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handled } from './handled.js';

/** The concepts of the test vocabulary: words of one concept have the same direction. */
export const CONCEPTS: string[][] = [
  ['dentist', 'tooth', 'teeth', 'molar', 'crown', 'dental', 'orthodontist', 'braces'],
  ['garden', 'plant', 'plants', 'flower', 'flowers', 'tulip', 'tulips', 'soil', 'seeds'],
  ['money', 'invoice', 'bill', 'payment', 'tax', 'taxes', 'bank', 'budget'],
  ['car', 'vehicle', 'tyre', 'tyres', 'mechanic', 'garage'],
  ['music', 'guitar', 'song', 'piano', 'concert'],
  ['travel', 'flight', 'hotel', 'trip', 'passport'],
];
export const DIMENSIONS = CONCEPTS.length + 2;

/** A text's vector: how often it names each concept (normalised); a text naming none points elsewhere. */
export function vectorOf(text: string, dimensions = DIMENSIONS): number[] {
  const v: number[] = new Array<number>(dimensions).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    const c = CONCEPTS.findIndex((words) => words.includes(word));
    if (c >= 0) v[c] = v[c]! + 1;
  }
  if (!v.some((x) => x !== 0)) v[dimensions - 1] = 1;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

export type EmbeddingsBehaviour = 'ok' | 'http500' | 'hang' | 'wrong-dimensions';

/** A local OpenAI-compatible /v1/embeddings server whose vectors come from the vocabulary above. */
export async function startFakeEmbeddings() {
  const inputs: string[][] = [];
  let behaviour: EmbeddingsBehaviour = 'ok';
  const server = createServer(
    handled(async (req, res) => {
      let raw = '';
      for await (const part of req) raw += part;
      const body = JSON.parse(raw || '{}') as { input: string[] | string; dimensions?: number };
      const texts = Array.isArray(body.input) ? body.input : [body.input];
      inputs.push(texts);
      if (behaviour === 'http500') return void res.writeHead(500).end('{"error":{"message":"down"}}');
      if (behaviour === 'hang') return;
      const dims = behaviour === 'wrong-dimensions' ? DIMENSIONS + 3 : (body.dimensions ?? DIMENSIONS);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          object: 'list',
          data: texts.map((t, index) => ({ object: 'embedding', index, embedding: vectorOf(t, dims) })),
          usage: { prompt_tokens: 1, total_tokens: 1 },
        }),
      );
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    /** Every request's input texts. */
    inputs,
    set(b: EmbeddingsBehaviour) {
      behaviour = b;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
