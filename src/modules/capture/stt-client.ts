import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Config } from '../../shared/config.js';

export interface TranscriptSegmentValue {
  start: number;
  end: number;
  text: string;
}

/** What Orbit keeps of a provider's answer (captures.transcript). */
export interface TranscriptValue {
  text: string;
  language: string | null;
  durationSeconds: number | null;
  segments: TranscriptSegmentValue[];
  model: string;
  /** Every segment's no_speech_prob was above 0.6 (or the text was empty). */
  noSpeech: boolean;
}

export interface AudioSource {
  contentType: string;
  extension: string;
  size: number;
  /** The bytes, read again for each attempt. */
  bytes: () => AsyncIterable<Buffer>;
}

/** A call that failed: `retry` for timeouts, network errors and 5xx; a 4xx is final. */
export class SttError extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

const NO_SPEECH = 0.6;
const BACKOFF_MS = 250;

/**
 * Any OpenAI-compatible `POST {STT_BASE_URL}/audio/transcriptions` (OpenAI, whisper.cpp's server,
 * speaches, LocalAI): multipart with the file named by its container's extension, the model, the
 * language hint and a prompt, asking for verbose_json with segment timestamps; a 400 that names
 * response_format is asked again once as json. Timeouts and 5xx are tried again with backoff.
 */
export async function transcribe(
  config: Config,
  audio: AudioSource,
  hints: { language: string | null; prompt: string | null },
  signal: AbortSignal,
): Promise<TranscriptValue> {
  let format: 'verbose_json' | 'json' = 'verbose_json';
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = await post(config, audio, { ...hints, format }, signal);
      if (answer.status === 400 && format === 'verbose_json' && /response_format/i.test(answer.body)) {
        format = 'json';
        attempt--;
        continue;
      }
      if (answer.status >= 500) throw new SttError(`the speech-to-text provider answered ${answer.status}`, true);
      if (answer.status !== 200)
        throw new SttError(`the speech-to-text provider refused the audio (HTTP ${answer.status})`, false);
      return readAnswer(answer.body, config.STT_MODEL);
    } catch (e) {
      const err =
        e instanceof SttError
          ? e
          : new SttError(
              signal.aborted ? 'transcription stopped' : `transcription failed: ${(e as Error).message}`,
              true,
            );
      if (!err.retry || attempt >= config.STT_ATTEMPTS || signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, BACKOFF_MS * 4 ** (attempt - 1)));
    }
  }
}

function readAnswer(body: string, model: string): TranscriptValue {
  let json: {
    text?: unknown;
    language?: unknown;
    duration?: unknown;
    segments?: Array<{ start?: unknown; end?: unknown; text?: unknown; no_speech_prob?: unknown }>;
  };
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    throw new SttError('the speech-to-text provider answered something other than JSON', true);
  }
  const text = typeof json.text === 'string' ? json.text.trim() : '';
  const raw = Array.isArray(json.segments) ? json.segments : [];
  const segments = raw
    .filter((s) => typeof s.start === 'number' && typeof s.end === 'number' && typeof s.text === 'string')
    .map((s) => ({ start: s.start as number, end: s.end as number, text: (s.text as string).trim() }));
  const silent =
    raw.length > 0 && raw.every((s) => typeof s.no_speech_prob === 'number' && s.no_speech_prob > NO_SPEECH);
  const language = typeof json.language === 'string' ? isoLanguage(json.language) : null;
  return {
    text,
    language,
    durationSeconds: typeof json.duration === 'number' ? json.duration : null,
    segments,
    model,
    noSpeech: text === '' || silent,
  };
}

/** Providers name the language ("english") or code it ("en"): ISO-639-1 when it is a code. */
const isoLanguage = (value: string) =>
  /^[a-z]{2}$/i.test(value) ? value.toLowerCase() : (NAMES[value.toLowerCase()] ?? null);
const NAMES: Record<string, string> = {
  english: 'en',
  german: 'de',
  french: 'fr',
  spanish: 'es',
  italian: 'it',
  portuguese: 'pt',
  dutch: 'nl',
  polish: 'pl',
  swedish: 'sv',
  japanese: 'ja',
  chinese: 'zh',
};

/** One multipart POST, streamed from the stored chunks with its Content-Length. */
function post(
  config: Config,
  audio: AudioSource,
  fields: { language: string | null; prompt: string | null; format: string },
  signal: AbortSignal,
): Promise<{ status: number; body: string }> {
  const boundary = `----orbit${randomBytes(12).toString('hex')}`;
  const field = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = Buffer.from(
    field('model', config.STT_MODEL) +
      field('response_format', fields.format) +
      (fields.format === 'verbose_json' ? field('timestamp_granularities[]', 'segment') : '') +
      (fields.language ? field('language', fields.language) : '') +
      (fields.prompt ? field('prompt', fields.prompt) : '') +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="audio.${audio.extension}"\r\n` +
      `Content-Type: ${audio.contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(`${config.STT_BASE_URL!.replace(/\/+$/, '')}/audio/transcriptions`);
  const timeout = AbortSignal.any([signal, AbortSignal.timeout(config.STT_TIMEOUT_MS)]);
  return new Promise((resolve, reject) => {
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        signal: timeout,
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': String(head.length + audio.size + tail.length),
          ...(config.STT_API_KEY ? { authorization: `Bearer ${config.STT_API_KEY}` } : {}),
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        let held = 0;
        res.on('data', (b: Buffer) => {
          // An answer is a transcript: a few hundred KiB at most.
          if ((held += b.length) <= 4 * 1024 * 1024) parts.push(b);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', (e) =>
      reject(timeout.aborted && !signal.aborted ? new SttError('the speech-to-text call timed out', true) : e),
    );
    void (async () => {
      try {
        req.write(head);
        for await (const chunk of audio.bytes()) {
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
        }
        req.end(tail);
      } catch (e) {
        req.destroy(e as Error);
      }
    })();
  });
}
