import { Readable } from 'node:stream';
import { and, asc, eq, gte } from 'drizzle-orm';
import type { Queryable } from '../../db/client.js';
import { uploadChunks } from '../../db/schema/index.js';

/** Bytes a chunk row holds at most: an upload is written and read this much at a time. */
export const CHUNK_BYTES = 256 * 1024;
/** Chunk rows read per statement (1 MiB). */
const ROWS_PER_READ = 4;

/** The upload's bytes in order, read a few chunks at a time: never the whole upload in memory. */
export async function* uploadChunksOf(q: Queryable, uploadId: string): AsyncGenerator<Buffer> {
  for (let seq = 0; ;) {
    const rows = await q
      .select({ seq: uploadChunks.seq, bytes: uploadChunks.bytes })
      .from(uploadChunks)
      .where(and(eq(uploadChunks.uploadId, uploadId), gte(uploadChunks.seq, seq)))
      .orderBy(asc(uploadChunks.seq))
      .limit(ROWS_PER_READ);
    for (const row of rows) yield row.bytes;
    if (rows.length < ROWS_PER_READ) return;
    seq = rows[rows.length - 1]!.seq + 1;
  }
}

/** The same as a Node stream (for music-metadata and HTTP replies). */
export const uploadStream = (q: Queryable, uploadId: string) =>
  Readable.from(uploadChunksOf(q, uploadId), { objectMode: false });

/** Gathers streamed bytes into rows of CHUNK_BYTES, written in order as each fills. */
export class ChunkWriter {
  private parts: Buffer[] = [];
  private held = 0;
  private seq = 0;

  constructor(
    private readonly q: Queryable,
    private readonly uploadId: string,
  ) {}

  async push(bytes: Buffer): Promise<void> {
    this.parts.push(bytes);
    this.held += bytes.length;
    while (this.held >= CHUNK_BYTES) {
      const all = Buffer.concat(this.parts);
      await this.write(all.subarray(0, CHUNK_BYTES));
      const rest = all.subarray(CHUNK_BYTES);
      this.parts = rest.length ? [Buffer.from(rest)] : [];
      this.held = rest.length;
    }
  }

  async end(): Promise<void> {
    if (this.held > 0) await this.write(Buffer.concat(this.parts));
    this.parts = [];
    this.held = 0;
  }

  private async write(bytes: Buffer): Promise<void> {
    await this.q.insert(uploadChunks).values({ uploadId: this.uploadId, seq: this.seq++, bytes });
  }
}
