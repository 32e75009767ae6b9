import {
  Arg,
  Authorized,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from 'type-graphql';
import { checkAccess } from '../../shared/access.js';
import { NotFoundError } from '../../shared/errors.js';
import type { RequestContext } from '../../shared/context.js';
import { viewerOf } from '../../shared/context.js';
import { connectionTypes } from '../../shared/pagination.js';
import { whileUnavailable } from '../../shared/retry.js';
import { Dashboard } from '../dashboard/index.js';
import type { CaptureLoaders } from './capture.loaders.js';
import type { CaptureService } from './capture.service.js';
import {
  Capture,
  CaptureStatus,
  type CaptureRow,
  CaptureSuggestion,
  CreateCaptureInput,
  SuggestionDraft,
  SuggestionEdit,
  SuggestionKind,
  SuggestionResult,
  type SuggestionRow,
} from './capture.type.js';
import { type StoredDraft, draftObject, missingOf } from './drafts.js';
import type { SuggestionService } from './suggestion.service.js';

type Context = RequestContext<{ captures: CaptureService; suggestions: SuggestionService }, CaptureLoaders>;

export const { ConnectionType: CaptureConnection } = connectionTypes('Capture', Capture);

/** The viewer's captures as they are created and change (deleted ones end nothing: they are skipped). */
async function captureStream(ctx: Context): Promise<AsyncIterable<CaptureRow>> {
  const viewer = checkAccess(ctx, [], 'subscription');
  const live = ctx.app.bus.iterate(`capture:${viewer.userId}`);
  async function* stream(): AsyncGenerator<CaptureRow> {
    try {
      for await (const event of live) {
        if (event.topic !== 'capture' || event.deleted) continue;
        // Fresh loaders for each event: the suggestions are read as they are now.
        ctx.renewLoaders();
        const row = await whileUnavailable(() =>
          ctx.services.captures.get(viewer, event.captureId).catch((e: unknown) => {
            if (e instanceof NotFoundError) return null;
            throw e;
          }),
        );
        if (row) yield row;
      }
    } finally {
      await live.return?.();
    }
  }
  return stream();
}

@Resolver(() => Capture)
export class CaptureResolver {
  @Authorized()
  @Query(() => CaptureConnection, { description: 'Newest first' })
  captures(
    @Ctx() ctx: Context,
    @Arg('status', () => [CaptureStatus], { nullable: true }) status: CaptureStatus[] | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ) {
    return ctx.services.captures.list(viewerOf(ctx), status, first, after);
  }

  @Authorized()
  @Query(() => Capture)
  capture(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.captures.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Capture)
  createCapture(@Arg('input', () => CreateCaptureInput) input: CreateCaptureInput, @Ctx() ctx: Context) {
    return ctx.services.captures.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => Capture, {
    description: "One of the viewer's emails becomes a capture (source EMAIL); once per email",
  })
  createCaptureFromEmail(
    @Arg('emailId', () => ID) emailId: string,
    @Arg('triage', () => Boolean, { nullable: true }) triage: boolean | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.captures.createFromEmail(viewerOf(ctx), emailId, triage !== false);
  }

  @Authorized()
  @Mutation(() => Capture, {
    description: 'Corrects the text; undecided suggestions are dropped and, with retriage (default true), remade',
  })
  updateCaptureText(
    @Arg('id', () => ID) id: string,
    @Arg('text', () => String) text: string,
    @Arg('retriage', () => Boolean, { nullable: true }) retriage: boolean | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.captures.updateText(viewerOf(ctx), id, text, retriage !== false);
  }

  @Authorized()
  @Mutation(() => Capture, {
    description: 'Runs triage again (the retry for FAILED); PROPOSED suggestions are replaced',
  })
  triageCapture(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.captures.triage(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Capture)
  archiveCapture(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.captures.archive(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Deletes the capture and its audio; items already created stay' })
  deleteCapture(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.captures.delete(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => CaptureSuggestion)
  updateCaptureSuggestion(
    @Arg('id', () => ID) id: string,
    @Arg('edit', () => SuggestionEdit) edit: SuggestionEdit,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.suggestions.edit(viewerOf(ctx), id, edit);
  }

  @Authorized()
  @Mutation(() => CaptureSuggestion, {
    description: 'Creates the item as the viewer (edit applied first); accepting again returns the same suggestion',
  })
  acceptCaptureSuggestion(
    @Arg('id', () => ID) id: string,
    @Arg('edit', () => SuggestionEdit, { nullable: true }) edit: SuggestionEdit | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.suggestions.accept(viewerOf(ctx), id, edit);
  }

  @Authorized()
  @Mutation(() => CaptureSuggestion)
  rejectCaptureSuggestion(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.suggestions.reject(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Capture, {
    description: 'Accepts each PROPOSED suggestion with nothing missing, one transaction each; failures keep error',
  })
  acceptCaptureSuggestions(@Arg('captureId', () => ID) captureId: string, @Ctx() ctx: Context) {
    return ctx.services.suggestions.acceptAll(viewerOf(ctx), captureId);
  }

  @Subscription(() => Capture, {
    description: "The viewer's captures as they are created and change",
    subscribe: ({ context }) => captureStream(context as Context),
  })
  captureChanged(@Root() capture: CaptureRow): CaptureRow {
    return capture;
  }

  @FieldResolver(() => [CaptureSuggestion])
  suggestions(@Root() capture: CaptureRow, @Ctx() ctx: Context) {
    return ctx.loaders.suggestionsByCapture.load(capture.id);
  }
}

@Resolver(() => CaptureSuggestion)
export class CaptureSuggestionFields {
  @FieldResolver(() => SuggestionDraft)
  draft(@Root() s: SuggestionRow) {
    return draftObject(s.kind as SuggestionKind, s.draft as StoredDraft);
  }

  @FieldResolver(() => [String], { description: 'Draft fields the user must set before accepting (e.g. listId)' })
  missing(@Root() s: SuggestionRow) {
    return missingOf(s.kind as SuggestionKind, s.draft as StoredDraft);
  }

  @FieldResolver(() => SuggestionResult, {
    nullable: true,
    description: 'Set once ACCEPTED; null if that item was deleted since',
  })
  result(@Root() s: SuggestionRow, @Ctx() ctx: Context) {
    return s.resultType && s.resultId ? ctx.loaders.resultByRef.load(`${s.resultType}:${s.resultId}`) : null;
  }
}

/** The dashboard's capture inbox. */
@Resolver(() => Dashboard)
export class DashboardCaptureFields {
  @FieldResolver(() => Int, { description: 'Captures in NEW or NEEDS_REVIEW' })
  inboxCount(@Ctx() ctx: Context) {
    return ctx.services.captures.inboxCount(viewerOf(ctx));
  }
}
