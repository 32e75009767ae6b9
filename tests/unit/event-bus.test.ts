import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import '../../src/modules/notifications/index.js';
import '../../src/modules/tasks/index.js';
import { type BusEvent, EventBus, eventKey } from '../../src/shared/event-bus.js';

const bus = () => new EventBus(pino({ level: 'silent' }));
const note = (userId: string, id: string): BusEvent => ({ topic: 'notification', userId, id });

describe('the event bus', () => {
  it('routes each event to the key its topic defines', () => {
    expect(eventKey(note('u1', 'n1'))).toBe('notification:u1');
    expect(eventKey({ topic: 'task', listId: 'l1', taskId: 't', kind: 'CREATED', actorId: 'a' })).toBe('task:l1');
    expect(eventKey({ topic: 'user.changed', userId: 'u1' })).toBe('user.changed');
  });

  it('hands an event only to the subscribers of its key, and a failing listener harms no other', () => {
    const b = bus();
    const got: string[] = [];
    b.on('notification:u1', () => {
      throw new Error('listener bug');
    });
    const off = b.on('notification:u1', (e) => got.push(`one:${(e as { id: string }).id}`));
    b.on('notification:u2', (e) => got.push(`two:${(e as { id: string }).id}`));
    b.dispatch(note('u1', 'a'));
    b.dispatch(note('u2', 'b'));
    off();
    b.dispatch(note('u1', 'c'));
    expect(got).toEqual(['one:a', 'two:b']);
    expect(b.listenerCount('notification:u1')).toBe(1);
  });

  it('queues events for an iterator in order, counts them in flight until the next is asked, and stops on return', async () => {
    const b = bus();
    const live = b.iterate('notification:u1');
    expect(b.listenerCount('notification:u1')).toBe(1);
    b.dispatch(note('u1', '1'));
    b.dispatch(note('u1', '2'));
    expect((await live.next()).value).toMatchObject({ id: '1' });
    let drained = false;
    const drain = b.drained(2000).then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(drained).toBe(false);
    expect((await live.next()).value).toMatchObject({ id: '2' });
    const waiting = live.next();
    await live.return!();
    expect(await waiting).toEqual({ value: undefined, done: true });
    await drain;
    expect(drained).toBe(true);
    expect(b.listenerCount('notification:u1')).toBe(0);
  });
});
