import { defineTopic } from '../../shared/event-bus.js';

declare module '../../shared/event-bus.js' {
  interface Topics {
    /** A notification row was written for a user. */
    notification: { userId: string; id: string };
  }
}

defineTopic('notification', (e) => `notification:${e.userId}`);
