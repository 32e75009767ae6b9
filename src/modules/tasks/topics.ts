import { defineTopic } from '../../shared/event-bus.js';

declare module '../../shared/event-bus.js' {
  interface Topics {
    /** A task of a list was created, changed or deleted. */
    task: { listId: string; taskId: string; kind: 'CREATED' | 'UPDATED' | 'DELETED'; actorId: string };
  }
}

defineTopic('task', (e) => `task:${e.listId}`);
