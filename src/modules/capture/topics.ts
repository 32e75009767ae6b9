import { defineTopic } from '../../shared/event-bus.js';

declare module '../../shared/event-bus.js' {
  interface Topics {
    /** One of a user's captures (or its suggestions) changed, or it was deleted. */
    capture: { userId: string; captureId: string; deleted: boolean };
  }
}

defineTopic('capture', (e) => `capture:${e.userId}`);
