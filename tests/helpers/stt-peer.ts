import { type IncomingMessage, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { handled } from './handled.js';

/** What one transcription request carried, as the peer parsed it from the multipart body. */
export interface SttRequest {
  model: string | null;
  language: string | null;
  prompt: string | null;
  responseFormat: string | null;
  granularities: string[];
  filename: string | null;
  fileType: string | null;
  fileSize: number;
  authorization: string | undefined;
  /** performance.now() when the request arrived and when its answer was sent. */
  receivedAt: number;
  answeredAt?: number;
}

/** How the peer answers one request; without a step it transcribes `say` as `verbose_json` asks. */
export interface SttStep {
  status?: number;
  text?: string;
  /** Every segment's no_speech_prob (default 0.01). */
  noSpeechProb?: number;
  language?: string;
  /** Seconds before answering (past the client's timeout: a timeout). */
  delayMs?: number;
}

const FORMATS = ['json', 'text', 'srt', 'verbose_json', 'vtt'];
const MAX_FILE = 25 * 1024 * 1024;

/**
 * A local server speaking the OpenAI-compatible speech-to-text protocol (OpenAI, whisper.cpp's
 * server, speaches, LocalAI): POST /v1/audio/transcriptions, multipart/form-data with `file` and
 * `model`; 413 above 25 MiB, 400 on a response_format it does not know (or, with `jsonOnly`, on
 * verbose_json, as servers without timestamps answer). verbose_json carries segments: the text's
 * sentences spread evenly over `duration` seconds.
 */
export async function startSttPeer() {
  const options = { jsonOnly: false };
  const requests: SttRequest[] = [];
  const script: SttStep[] = [];
  let say = 'Buy milk tomorrow. Call Ann at 5pm.';
  let duration = 3;
  const server: Server = createServer(
    handled(async (req: IncomingMessage, res) => {
      const receivedAt = performance.now();
      const json = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/v1/audio/transcriptions')
        return json(404, { error: { message: 'Not found' } });
      if (Number(req.headers['content-length'] ?? 0) > MAX_FILE + 64 * 1024) {
        req.resume();
        return json(413, { error: { message: 'Maximum content size limit exceeded' } });
      }
      const form = await new Request('http://peer/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type']) },
        body: Readable.toWeb(req) as ReadableStream,
        duplex: 'half',
      }).formData();
      const file = form.get('file');
      const value = (name: string) => (typeof form.get(name) === 'string' ? (form.get(name) as string) : null);
      const request: SttRequest = {
        model: value('model'),
        language: value('language'),
        prompt: value('prompt'),
        responseFormat: value('response_format'),
        granularities: form.getAll('timestamp_granularities[]').map(String),
        filename: file instanceof File ? file.name : null,
        fileType: file instanceof File ? file.type : null,
        fileSize: file instanceof File ? file.size : 0,
        authorization: req.headers.authorization,
        receivedAt,
      };
      requests.push(request);
      res.on('finish', () => (request.answeredAt = performance.now()));
      if (!(file instanceof File) || !request.model)
        return json(400, { error: { message: 'file and model are required' } });
      if (file.size > MAX_FILE) return json(413, { error: { message: 'Maximum content size limit exceeded' } });
      const format = request.responseFormat ?? 'json';
      if (!FORMATS.includes(format) || (options.jsonOnly && format === 'verbose_json'))
        return json(400, { error: { message: `Invalid response_format: ${format}`, param: 'response_format' } });
      const step = script.shift() ?? {};
      if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
      if (step.status && step.status !== 200) return json(step.status, { error: { message: `status ${step.status}` } });
      const text = step.text ?? say;
      if (format === 'json') return json(200, { text });
      const sentences = text.split(/(?<=[.!?])\s+/).filter(Boolean);
      const each = duration / Math.max(1, sentences.length);
      json(200, {
        task: 'transcribe',
        language: step.language ?? 'english',
        duration,
        text,
        segments: sentences.map((s, i) => ({
          id: i,
          start: +(i * each).toFixed(2),
          end: +((i + 1) * each).toFixed(2),
          text: ` ${s}`,
          no_speech_prob: step.noSpeechProb ?? 0.01,
        })),
      });
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests,
    /** Answer verbose_json with 400, as servers without timestamps do. */
    set jsonOnly(on: boolean) {
      options.jsonOnly = on;
    },
    /** The next answers, in order. */
    script: (...steps: SttStep[]) => script.push(...steps),
    /** What the peer "hears" from now on, and the audio's length it reports. */
    hear(text: string, seconds = 3) {
      say = text;
      duration = seconds;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
