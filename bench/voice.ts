import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { AUDIO_TYPE, silence, speech } from '../tests/helpers/audio.js';
import type { startFakeLlm } from '../tests/helpers/fake-llm.js';
import type { startSttPeer } from '../tests/helpers/stt-peer.js';
import { wsClient } from '../tests/helpers/ws.js';
import { gql, percentile } from './lib.js';

const ROUNDS = Number(process.env.BENCH_VOICE_ROUNDS ?? 5);
const CLIENTS = 10;
/** 297 s of 22.05 kHz stereo WAV: 26,195,444 bytes, just under CAPTURE_AUDIO_MAX_BYTES. */
const BIG_SECONDS = 297;
const SENTENCE = 'Buy milk tomorrow and call Ann at five pm about the garden party.';

export interface VoiceFigures {
  audioSeconds: number;
  audioBytes: number;
  /** PUT of the audio → suggestions on the subscription, and its parts (p50, ms). */
  endToEndP50Ms: number;
  uploadP50Ms: number;
  transcriptionCallP50Ms: number;
  triageCallP50Ms: number;
  orbitP50Ms: number;
  /** Server RSS while CLIENTS upload BIG at once, above idle (MB). */
  uploadClients: number;
  uploadMb: number;
  /** RSS growth of the single upload before (the embedded database's caches filling, on PGlite). */
  warmUpMb: number;
  idleRssMb: number;
  peakRssAboveIdleMb: number;
  uploadsReceived: number;
  /** The PUTs' distinct HTTP statuses. */
  uploadStatuses: string;
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function put(url: string, base: string, bytes: Buffer, type: string): Promise<number> {
  const res = await fetch(`${base}${new URL(url).pathname}`, {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': type },
  });
  await res.arrayBuffer();
  return res.status;
}

const STAGE = `mutation S($t: String!, $n: Int!) { stageUpload(input: { purpose: CAPTURE_AUDIO, contentType: $t, size: $n }) { url upload { id } } }`;

/**
 * Voice on a server started with the STT peer and the fake model (both in this process, answering at
 * once): ROUNDS one-minute OGG captures, each timed from the PUT to its suggestions on captureChanged,
 * split by the peers' own clocks; then CLIENTS uploads of a 25 MB WAV at once, sampling the server's RSS.
 */
export async function voiceFigures(
  base: string,
  pid: number,
  tokens: [string, string],
  stt: Awaited<ReturnType<typeof startSttPeer>>,
  llm: Awaited<ReturnType<typeof startFakeLlm>>,
  onError: () => void,
): Promise<VoiceFigures> {
  const ogg = speech(Array.from({ length: 14 }, () => SENTENCE).join(' '), 'ogg');
  const [token] = tokens;
  stt.hear(`${SENTENCE} Water the plants on Sunday.`, 60);
  const ws = wsClient(base, { authorization: `Bearer ${token}` });
  const sub = ws.subscribe(`subscription { captureChanged { id status suggestions { id } } }`);
  await new Promise((r) => setTimeout(r, 500));
  const parts = {
    total: [] as number[],
    upload: [] as number[],
    stt: [] as number[],
    llm: [] as number[],
    orbit: [] as number[],
  };
  let audioSeconds = 0;
  for (let i = 0; i < ROUNDS; i++) {
    llm.script({
      calls: [
        { name: 'propose_task', args: { title: 'Buy milk' } },
        { name: 'propose_task', args: { title: 'Call Ann' } },
      ],
    });
    const staged = (await gql(base, STAGE, { t: AUDIO_TYPE.ogg, n: ogg.length }, token)).stageUpload;
    const t0 = performance.now();
    if ((await put(staged.url, base, ogg, AUDIO_TYPE.ogg)) !== 200) onError();
    const t1 = performance.now();
    const seen = sub.values.length;
    const c = (
      await gql(
        base,
        `mutation V($u: ID!) { createVoiceCapture(input: { uploadId: $u }) { id audio { durationSeconds } } }`,
        { u: staged.upload.id },
        token,
      )
    ).createVoiceCapture;
    audioSeconds = c.audio.durationSeconds;
    for (let n = seen + 1; ; n++) {
      const v = (await sub.nth(n, 60_000)).captureChanged;
      if (v.id === c.id && v.status !== 'TRANSCRIBING' && v.status !== 'TRIAGING') {
        if (v.suggestions.length !== 2) onError();
        break;
      }
    }
    const t2 = performance.now();
    const s = stt.requests.at(-1)!;
    const m = llm.requests.at(-1)!;
    const sttMs = (s.answeredAt ?? s.receivedAt) - s.receivedAt;
    const llmMs = (m.answeredAt ?? m.receivedAt) - m.receivedAt;
    parts.total.push(t2 - t0);
    parts.upload.push(t1 - t0);
    parts.stt.push(sttMs);
    parts.llm.push(llmMs);
    parts.orbit.push(t2 - t0 - (t1 - t0) - sttMs - llmMs);
  }
  sub.stop();
  await ws.dispose();

  // Ten 25 MB uploads at once (two users: five may wait per user), the server's RSS sampled every 20 ms.
  const big = silence(BIG_SECONDS, 'wav', 22050, 2);
  // One upload first: the embedded database's caches grow to their working size (it lives in the process).
  const cold = rssMb(pid);
  const first = (await gql(base, STAGE, { t: AUDIO_TYPE.wav, n: big.length }, tokens[1])).stageUpload;
  if ((await put(first.url, base, big, AUDIO_TYPE.wav)) !== 200) onError();
  const warmUpMb = Math.round(rssMb(pid) - cold);
  const staged = [];
  for (let i = 0; i < CLIENTS; i++)
    staged.push((await gql(base, STAGE, { t: AUDIO_TYPE.wav, n: big.length }, tokens[i % 2])).stageUpload);
  await new Promise((r) => setTimeout(r, 1000));
  const idle = rssMb(pid);
  let peak = idle;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  const statuses = await Promise.all(staged.map((st) => put(st.url, base, big, AUDIO_TYPE.wav).catch(() => 0)));
  for (const status of statuses) if (status !== 200) onError();
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(pid));
  const p50 = (xs: number[]) =>
    Number(
      percentile(
        [...xs].sort((a, b) => a - b),
        50,
      ).toFixed(1),
    );
  return {
    audioSeconds: Number(audioSeconds.toFixed(1)),
    audioBytes: ogg.length,
    endToEndP50Ms: p50(parts.total),
    uploadP50Ms: p50(parts.upload),
    transcriptionCallP50Ms: p50(parts.stt),
    triageCallP50Ms: p50(parts.llm),
    orbitP50Ms: p50(parts.orbit),
    uploadClients: CLIENTS,
    uploadMb: Number((big.length / 1e6).toFixed(1)),
    warmUpMb,
    idleRssMb: Math.round(idle),
    peakRssAboveIdleMb: Math.round(peak - idle),
    uploadsReceived: statuses.filter((s) => s === 200).length,
    uploadStatuses: [...new Set(statuses)].join(','),
  };
}
