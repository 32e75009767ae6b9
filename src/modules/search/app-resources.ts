import type { SemanticState } from './semantic-index.js';

/** What the search module keeps for the whole server, set by the composition root at start. */
declare module '../../shared/app.js' {
  interface App {
    /** Whether semantic search works (pgvector and a provider), and its provider. */
    semantic: SemanticState;
  }
}

export {};
