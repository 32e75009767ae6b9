/** Words in a text: runs of letters or digits (Unicode), so Markdown punctuation does not count. */
export function countWords(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

/** Words in every string inside a JSON value (journal content). */
export function countWordsInJson(value: unknown): number {
  if (typeof value === 'string') return countWords(value);
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + countWordsInJson(v), 0);
  if (value && typeof value === 'object')
    return Object.values(value).reduce((n: number, v) => n + countWordsInJson(v), 0);
  return 0;
}
