import { createParameterDecorator } from 'type-graphql';
import type { QueryStats } from '../db/client.js';
import type { App } from './app.js';
import type { Authentication, Viewer } from './viewer.js';

/** Where the request came from, and how to answer with cookies (HTTP only). */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
  refreshCookie: string | null;
  setRefreshCookie?: (token: string, expiresAt: Date) => void;
  clearRefreshCookie?: () => void;
  /** Aborted when the client goes away before the answer (HTTP only). */
  signal?: AbortSignal;
}

/**
 * The context of one operation. The composition root builds it with every module's services and
 * loaders; a module types it with the services (`S`) and loaders (`L`) it uses, so no module needs
 * to know the others, nor the root.
 */
export interface RequestContext<S = object, L = object> extends Authentication {
  app: App;
  services: S;
  loaders: L;
  client: ClientInfo;
  requestId: string;
  /** The statements this operation has run (HTTP operations). */
  stats?: QueryStats;
  /** New DataLoaders for the next delivered subscription event: no subscriber sees stale rows. */
  renewLoaders(): void;
}

/** The viewer of an operation guarded by @Authorized (the auth checker has ensured it is there). */
export function viewerOf(ctx: Authentication): Viewer {
  if (!ctx.viewer) throw ctx.error ?? new Error('viewerOf used without @Authorized');
  return ctx.viewer;
}

/** A resolver parameter: the operation's viewer (with @Authorized, who is always there). */
export function CurrentViewer() {
  return createParameterDecorator<RequestContext>(({ context }) => viewerOf(context));
}

export function clientMeta(ctx: Pick<RequestContext, 'client'>) {
  return { ip: ctx.client.ip, userAgent: ctx.client.userAgent };
}
