const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(instant: number, zone: string) {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(instant)).map((x) => [x.type, x.value]));
  return { y: +p.year!, m: +p.month!, d: +p.day!, h: +p.hour!, min: +p.minute!, s: +p.second! };
}

/** The calendar date (YYYY-MM-DD) of an instant in a timezone. */
export function dateInZone(instant: Date, zone: string): string {
  const p = parts(instant.getTime(), zone);
  return `${p.y}-${String(p.m).padStart(2, '0')}-${String(p.d).padStart(2, '0')}`;
}

/** The instant a calendar date begins in a timezone (DST-aware). */
export function startOfDay(day: string, zone: string): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const wanted = Date.UTC(y, m - 1, d);
  let guess = wanted;
  for (let i = 0; i < 3; i++) {
    const p = parts(guess, zone);
    const seen = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s);
    const next = guess - (seen - wanted);
    if (next === guess) break;
    guess = next;
  }
  return new Date(guess);
}

export function addDays(day: string, n: number): string {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

/** The wall clock of an instant in a timezone. */
export function wallClock(instant: Date, zone: string) {
  return parts(instant.getTime(), zone);
}

/** The instant a wall-clock time of a calendar date falls on in a timezone (DST-aware). */
export function localInstant(day: string, hour: number, minute: number, second: number, zone: string): Date {
  const start = startOfDay(day, zone).getTime();
  const wanted = start + ((hour * 60 + minute) * 60 + second) * 1000;
  // Across a DST change the offset at the wanted time differs from midnight's: correct once.
  const p = parts(wanted, zone);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const seen = Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s);
  const target = Date.UTC(y, m - 1, d, hour, minute, second);
  return new Date(wanted - (seen - target));
}
