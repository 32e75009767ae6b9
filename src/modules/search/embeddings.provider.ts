/** Any OpenAI-compatible `/embeddings` endpoint over fetch; vectors of the wrong size are an error. */
export class EmbeddingsProvider {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    readonly model: string,
    readonly dimensions: number,
    private readonly timeoutMs: number,
  ) {}

  async embed(texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/embeddings`, {
        method: 'POST',
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        headers: {
          'content-type': 'application/json',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.model,
          input: texts,
          dimensions: this.dimensions,
          encoding_format: 'float',
        }),
      });
    } catch (error) {
      throw new Error(
        timeout.aborted
          ? 'the embeddings provider did not answer in time'
          : `the embeddings provider could not be reached (${(error as Error).message})`,
      );
    }
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      throw new Error(`the embeddings provider answered HTTP ${res.status}`);
    }
    const body = (await res.json().catch(() => null)) as {
      data?: Array<{ index?: number; embedding?: unknown }>;
    } | null;
    const data = [...(body?.data ?? [])].sort((a, b) => (a.index ?? 0) - (b.index ?? 0));
    if (data.length !== texts.length)
      throw new Error(`the embeddings provider returned ${data.length} vectors for ${texts.length} texts`);
    return data.map((d) => {
      const v = d.embedding;
      if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x)))
        throw new Error('the embeddings provider returned something that is not a vector');
      if (v.length !== this.dimensions)
        throw new Error(
          `the embeddings provider returned vectors of ${v.length} dimensions, not ${this.dimensions} (EMBEDDINGS_DIMENSIONS)`,
        );
      return v as number[];
    });
  }
}

/** A vector as pgvector reads it. */
export const vectorLiteral = (v: number[]) => `[${v.join(',')}]`;
