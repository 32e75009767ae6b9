import { describe, expect, it } from 'vitest';
import { parseQuickAdd } from '../../src/modules/capture/quick-add.js';
import { wallClock } from '../../src/shared/zones.js';
import { names, now, table, zone } from './quick-add-table.js';

/** The quick-add grammar over its table (./quick-add-table.ts), and what it says about each token. */
const local = (d: Date, allDay: boolean) => {
  const p = wallClock(d, zone);
  const day = `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
  if (allDay) {
    expect([p.h, p.min, p.s]).toEqual([23, 59, 59]);
    return day;
  }
  return `${day}T${String(p.h).padStart(2, '0')}:${String(p.min).padStart(2, '0')}`;
};

describe('parseQuickAdd', () => {
  it('holds a table of at least 60 lines', () => expect(table.length).toBeGreaterThanOrEqual(60));

  it.each(table)('%s', (text, row) => {
    const r = parseQuickAdd(text, { now, zone, names });
    expect({
      title: r.title,
      due: r.dueAt ? local(r.dueAt, r.dueAllDay) : undefined,
      list: r.listId ?? undefined,
      project: r.projectId ?? undefined,
      labels: r.labelIds.length ? r.labelIds : undefined,
      priority: r.priority ?? undefined,
      notes: r.notes ?? undefined,
      unknown: r.unknownNames.length ? r.unknownNames : undefined,
    }).toEqual({ labels: undefined, ...row });
    // Every token is the input's own text at its offsets, and none overlap.
    let end = 0;
    for (const t of r.tokens) {
      expect(text.slice(t.start, t.end)).toBe(t.text);
      expect(t.start).toBeGreaterThanOrEqual(end);
      end = t.end;
    }
  });

  it('names the tokens it read, in order', () => {
    const r = parseQuickAdd('Pay rent on friday #work p2 // by card', { now, zone, names });
    expect(r.tokens).toEqual([
      { kind: 'date', text: 'on friday', start: 9, end: 18 },
      { kind: 'list', text: '#work', start: 19, end: 24 },
      { kind: 'priority', text: 'p2', start: 25, end: 27 },
      { kind: 'notes', text: '// by card', start: 28, end: 38 },
    ]);
    expect(r.dueAllDay).toBe(true);
  });

  it('reads dates in the viewer’s timezone: 5pm in Tokyo is not 5pm in New York', () => {
    const ny = parseQuickAdd('Call 5pm', { now, zone, names });
    const tokyo = parseQuickAdd('Call 5pm', { now, zone: 'Asia/Tokyo', names });
    // 15:00 UTC is 00:00 on 4 December in Tokyo: 5pm is still ahead there, the same day.
    expect(ny.dueAt!.toISOString()).toBe('2026-12-03T22:00:00.000Z');
    expect(tokyo.dueAt!.toISOString()).toBe('2026-12-04T08:00:00.000Z');
    const day = parseQuickAdd('File taxes tomorrow', { now, zone: 'Asia/Tokyo', names });
    expect(day.dueAt!.toISOString()).toBe('2026-12-05T14:59:59.000Z');
  });
});
