export interface Span {
  start: number;
  /** Exclusive. */
  end: number;
}

/**
 * The double-quoted stretches of a line, quotes included, paired in order; an unpaired last quote is
 * an ordinary character. Quoted text is literal: the quick-add grammar never reads inside it.
 */
export function literalSpans(text: string): Span[] {
  const spans: Span[] = [];
  let open = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '"') continue;
    if (open < 0) open = i;
    else {
      spans.push({ start: open, end: i + 1 });
      open = -1;
    }
  }
  return spans;
}
