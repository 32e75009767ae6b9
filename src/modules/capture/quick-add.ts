import { casual, type ParsedResult } from 'chrono-node';
import { addDays, localInstant, wallClock } from '../../shared/zones.js';
import { literalSpans, type Span } from './quick-add-words.js';

/**
 * The quick-add grammar: one line becomes a task's title, notes, due date, list, project, labels and
 * priority, with every token it read and where. Pure: the caller passes the viewer's names, the clock
 * and the timezone. Dates come from chrono-node, held back by Orbit's rules (see `acceptable`).
 */
export type QuickAddKind = 'date' | 'list' | 'project' | 'label' | 'priority' | 'notes';
export type QuickAddPriority = 'URGENT' | 'HIGH' | 'MEDIUM' | 'LOW';
export interface QuickAddToken {
  kind: QuickAddKind;
  text: string;
  /** UTF-16 offsets into the input, end exclusive. */
  start: number;
  end: number;
}
export interface NamedRef {
  id: string;
  name: string;
}
export interface QuickAddNames {
  lists: readonly NamedRef[];
  projects: readonly NamedRef[];
  labels: readonly NamedRef[];
}
export interface QuickAddResult {
  title: string;
  notes: string | null;
  dueAt: Date | null;
  dueAllDay: boolean;
  listId: string | null;
  projectId: string | null;
  labelIds: string[];
  priority: QuickAddPriority | null;
  tokens: QuickAddToken[];
  unknownNames: string[];
}
export interface QuickAddContext {
  now: Date;
  zone: string;
  names: QuickAddNames;
}

const PRIORITY: Record<string, QuickAddPriority> = { p1: 'URGENT', p2: 'HIGH', p3: 'MEDIUM', p4: 'LOW' };
const SIGIL = { '#': 'list', '+': 'project', '@': 'label' } as const;
const WORD_CHAR = /[\p{L}\p{N}]/u;

export function parseQuickAdd(text: string, ctx: QuickAddContext): QuickAddResult {
  const out: QuickAddResult = {
    title: '',
    notes: null,
    dueAt: null,
    dueAllDay: false,
    listId: null,
    projectId: null,
    labelIds: [],
    priority: null,
    tokens: [],
    unknownNames: [],
  };
  const quotes = literalSpans(text);
  const quoted = (i: number) => quotes.some((q) => i >= q.start && i < q.end);
  let headEnd = text.length;
  for (let i = 0; i + 1 < text.length; i++) {
    if (text.startsWith('//', i) && (i === 0 || /\s/.test(text[i - 1]!)) && !quoted(i)) {
      headEnd = i;
      out.notes = text.slice(i + 2).trim() || null;
      out.tokens.push({ kind: 'notes', text: text.slice(i), start: i, end: text.length });
      break;
    }
  }
  const masked = text.slice(0, headEnd).split('');
  const blank = (s: Span) => masked.fill(' ', s.start, Math.min(s.end, headEnd));
  for (const w of words(text, headEnd, quotes)) if (readWord(w, text, ctx.names, out)) blank(w);
  for (const q of quotes) blank(q);
  const date = readDate(masked.join(''), text, ctx);
  if (date) {
    out.tokens.push(date.token);
    out.dueAt = date.dueAt;
    out.dueAllDay = date.allDay;
  }
  out.tokens.sort((a, b) => a.start - b.start);
  let title = '';
  let at = 0;
  for (const t of out.tokens) {
    title += text.slice(at, t.start) + ' ';
    at = Math.max(at, t.end);
  }
  title += text.slice(at, headEnd);
  // A read token leaves no gap before the punctuation that followed it ("home Friday." → "home.").
  const cleaned = title
    .replace(/\s+/g, ' ')
    .replace(/ ([.,;:!?])(?=\s|$)/g, '$1')
    .replace(/([,;:])(?:\s*[,;:])+/g, '$1')
    .trim();
  out.title = cleaned || text.slice(0, headEnd).trim() || text.trim();
  return out;
}

/** Whitespace-separated words of the head; a quoted stretch is one piece of a word. */
function words(text: string, end: number, quotes: Span[]): Span[] {
  const found: Span[] = [];
  let i = 0;
  while (i < end) {
    while (i < end && /\s/.test(text[i]!)) i++;
    if (i >= end) break;
    const start = i;
    while (i < end && !/\s/.test(text[i]!)) {
      const q = quotes.find((s) => s.start === i);
      i = q ? q.end : i + 1;
    }
    found.push({ start, end: Math.min(i, end) });
  }
  return found;
}

/** A #list, +project, @label or p1-p4 word: recorded and true when read; unknown names stay in the title. */
function readWord(w: Span, text: string, names: QuickAddNames, out: QuickAddResult): boolean {
  const word = text.slice(w.start, w.end);
  const p = PRIORITY[word.toLowerCase()];
  if (p) {
    if (out.priority) return false;
    out.priority = p;
    out.tokens.push({ kind: 'priority', text: word, ...w });
    return true;
  }
  const sigil = word[0]!;
  if (!(sigil in SIGIL)) return false;
  const kind = SIGIL[sigil as keyof typeof SIGIL];
  const m = /^."([^"]+)"$/.exec(word) ?? /^.([\p{L}][^"]*)$/u.exec(word);
  if (!m) return false;
  const name = m[1]!.trim().toLowerCase();
  const pool = kind === 'list' ? names.lists : kind === 'project' ? names.projects : names.labels;
  const hit = pool.find((n) => n.name.toLowerCase() === name);
  if (!hit) {
    out.unknownNames.push(word);
    return false;
  }
  if (kind === 'label') {
    if (!out.labelIds.includes(hit.id)) out.labelIds.push(hit.id);
  } else if (kind === 'list' ? out.listId : out.projectId) {
    return false; // the first one counts; a second stays in the title
  } else if (kind === 'list') out.listId = hit.id;
  else out.projectId = hit.id;
  out.tokens.push({ kind, text: word, ...w });
  return true;
}

interface DateRead {
  token: QuickAddToken;
  dueAt: Date;
  allDay: boolean;
}

function readDate(masked: string, text: string, ctx: QuickAddContext): DateRead | null {
  const wall = wallClock(ctx.now, ctx.zone);
  // chrono reads in the process's local time: give it the viewer's wall clock as a local Date.
  const ref = new Date(wall.y, wall.m - 1, wall.d, wall.h, wall.min, wall.s);
  for (const r of casual.parse(masked, ref, { forwardDate: true })) {
    // chrono may take in the blanks where other tokens were: the date ends at its last character.
    const end = r.index + r.text.trimEnd().length;
    if (r.index > 0 && WORD_CHAR.test(masked[r.index - 1]!)) continue;
    if (end < masked.length && WORD_CHAR.test(masked[end]!)) continue;
    const reading = acceptable(r, masked);
    if (!reading) continue;
    const today = `${wall.y}-${pad(wall.m)}-${pad(wall.d)}`;
    const day = dayOf(r, reading, today);
    let dueAt: Date;
    let allDay = true;
    if (reading.time) {
      const h = r.start.get('hour') ?? 0;
      const min = r.start.get('minute') ?? 0;
      allDay = false;
      // A time alone: today if it is still ahead, else tomorrow.
      const date = reading.date ? day : h * 60 + min > wall.h * 60 + wall.min ? today : addDays(today, 1);
      dueAt = localInstant(date, h, min, 0, ctx.zone);
    } else dueAt = localInstant(day, 23, 59, 59, ctx.zone);
    // "due", "by", "on" and "at" just before the date are part of it.
    const lead = /(?:^|\s)((?:(?:due|by|on|at)\s+)+)$/i.exec(masked.slice(0, r.index));
    const start = lead ? r.index - lead[1]!.length : r.index;
    return { token: { kind: 'date', text: text.slice(start, end), start, end }, dueAt, allDay };
  }
  return null;
}

interface Reading {
  date: boolean;
  time: boolean;
}

/**
 * Orbit's rules over chrono's reading: a bare number or ordinal is never a date, a month needs a day
 * beside it, a time needs minutes or am/pm (or a word such as noon), slashed dates are ambiguous
 * (12/5) and left alone, and a weekday's three-letter form counts only after on, next, by or this
 * ("Mon standup" and "I sat down" keep their words).
 */
function acceptable(r: ParsedResult, masked: string): Reading | null {
  const c = (k: Parameters<typeof r.start.isCertain>[0]) => r.start.isCertain(k);
  const tags = [...r.tags()];
  if (tags.some((t) => t.includes('Slash'))) return null;
  const casualDay = tags.some((t) => t.startsWith('casualReference/') && !/noon|midnight/.test(t));
  const relative = tags.includes('result/relativeDate') || tags.some((t) => t.includes('EndOf'));
  const lower = r.text.toLowerCase();
  let weekday = false;
  if (c('weekday') && !c('day')) {
    const before = masked.slice(Math.max(0, r.index - 6), r.index).toLowerCase();
    weekday =
      /\b(sunday|monday|tuesday|wednesday|thursday|friday|saturday|weekend)\b/.test(lower) ||
      /\b(on|next|by|this)\b/.test(lower) ||
      /\b(on|next|by|this)\s+$/.test(before);
    if (!weekday) return null;
  }
  const explicitDay = c('day') && c('month');
  if (c('month') && !c('day')) return null;
  if (c('day') && !c('month') && !casualDay && !relative) return null;
  const date = explicitDay || casualDay || relative || weekday;
  const time =
    c('hour') &&
    ((c('minute') && /\d:\d/.test(lower)) ||
      c('meridiem') ||
      tags.some((t) => /noon|midnight|relativeDateAndTime/.test(t)));
  if (!date && !time) return null;
  return { date, time: Boolean(time) };
}

function dayOf(r: ParsedResult, reading: Reading, today: string): string {
  const s = r.start;
  if (s.isCertain('weekday') && !s.isCertain('day') && !/\blast\b/i.test(r.text)) {
    // [on|next|this] <weekday>: the next such day after today.
    const now = new Date(`${today}T00:00:00Z`).getUTCDay();
    const ahead = (((s.get('weekday') ?? 0) - now + 6) % 7) + 1;
    return addDays(today, ahead);
  }
  const y = s.get('year')!;
  const m = s.get('month')!;
  const d = s.get('day')!;
  if (s.isCertain('month') && s.isCertain('day') && !s.isCertain('year') && reading.date) {
    // Dec 5 / 5 December: the next such date, today included.
    const year = Number(today.slice(0, 4));
    const thisYear = `${year}-${pad(m)}-${pad(d)}`;
    return thisYear >= today ? thisYear : `${year + 1}-${pad(m)}-${pad(d)}`;
  }
  return `${y}-${pad(m)}-${pad(d)}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
