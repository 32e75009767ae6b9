import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Real audio for the voice tests: speech synthesised by espeak-ng, converted by sox into the
 * containers clients send (WAV, OGG Vorbis, MP3, FLAC). Files are cached by their recipe, so each is
 * made once per machine.
 */
export type Container = 'wav' | 'ogg' | 'mp3' | 'flac';

const DIR = join(tmpdir(), 'orbit-audio-fixtures');

function cached(recipe: string, ext: Container, make: (out: string) => void): Buffer {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `${createHash('sha256').update(recipe).digest('hex').slice(0, 16)}.${ext}`);
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.partial.${ext}`;
    make(partial);
    renameSync(partial, file);
  }
  return readFileSync(file);
}

/** `text` spoken by espeak-ng, in `ext`. */
export function speech(text: string, ext: Container = 'wav'): Buffer {
  return cached(`speech:${text}`, ext, (out) => {
    const wav = `${out}.src.wav`;
    execFileSync('espeak-ng', ['-w', wav, text]);
    execFileSync('sox', [wav, '-r', '16000', '-c', '1', out]);
    rmSync(wav, { force: true });
  });
}

/** `seconds` of silence (8 kHz mono unless told), in `ext`. */
export function silence(seconds: number, ext: Container = 'wav', rate = 8000, channels = 1): Buffer {
  const recipe = rate === 8000 && channels === 1 ? `silence:${seconds}` : `silence:${seconds}:${rate}:${channels}`;
  return cached(recipe, ext, (out) => {
    const depth = rate === 8000 && channels === 1 ? [] : ['-b', '16'];
    execFileSync('sox', [
      '-n',
      '-r',
      String(rate),
      '-c',
      String(channels),
      ...depth,
      out,
      'trim',
      '0',
      String(seconds),
    ]);
  });
}

export const AUDIO_TYPE: Record<Container, string> = {
  wav: 'audio/wav',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  flac: 'audio/flac',
};
