import { defineTopic } from '../../shared/event-bus.js';

declare module '../../shared/event-bus.js' {
  interface Topics {
    /** An assistant action was created or changed status. */
    'assistant.action': { userId: string; id: string };
  }
}

defineTopic('assistant.action', (e) => `assistant-action:${e.userId}`);
