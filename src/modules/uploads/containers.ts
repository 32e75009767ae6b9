import { fileTypeFromBuffer } from 'file-type';

/** What the first bytes of an upload must show for each declared type (file-type's extensions). */
const AUDIO: Record<string, { containers: string[]; extension: string }> = {
  'audio/webm': { containers: ['webm', 'mkv'], extension: 'webm' },
  'audio/ogg': { containers: ['ogg', 'opus', 'oga', 'spx', 'ogx'], extension: 'ogg' },
  'audio/mp4': { containers: ['m4a', 'mp4', 'm4b', '3gp', '3g2', 'mov'], extension: 'm4a' },
  'audio/mpeg': { containers: ['mp3', 'mp2', 'mp1'], extension: 'mp3' },
  'audio/wav': { containers: ['wav'], extension: 'wav' },
  'audio/x-wav': { containers: ['wav'], extension: 'wav' },
  'audio/flac': { containers: ['flac'], extension: 'flac' },
};

export const AUDIO_TYPES = Object.keys(AUDIO);
export const CALENDAR_TYPE = 'text/calendar';
export const CALENDAR_MAX_BYTES = 1_048_576;
/** Bytes file-type reads to recognise a container. */
export const SNIFF_BYTES = 4100;

/** The file extension a transcription provider expects for audio of this type. */
export const audioExtension = (contentType: string) => AUDIO[contentType]?.extension ?? 'bin';

/** The media type of a Content-Type header without its parameters, lower case ('' when absent). */
export const essence = (header: string | undefined) => (header ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Whether the first bytes are the declared container: audio by its magic bytes (file-type), an
 * .ics by BEGIN:VCALENDAR after an optional byte-order mark and blank space.
 */
export async function matchesContainer(contentType: string, head: Buffer): Promise<boolean> {
  if (contentType === CALENDAR_TYPE) {
    return /^(\uFEFF)?\s*BEGIN:VCALENDAR/i.test(head.subarray(0, 64).toString('utf8'));
  }
  const expected = AUDIO[contentType];
  if (!expected) return false;
  const found = await fileTypeFromBuffer(head);
  return !!found && expected.containers.includes(found.ext);
}
