import { defineTopic } from '../../shared/event-bus.js';

declare module '../../shared/event-bus.js' {
  interface Topics {
    /** A piece of an assistant reply as it streams; `done` ends the message. */
    'assistant.chunk': { conversationId: string; messageId: string; delta: string; done: boolean };
  }
}

defineTopic('assistant.chunk', (e) => `assistant:${e.conversationId}`, { ephemeral: true });
