import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { RequestContext } from '../../shared/context.js';
import { viewerOf } from '../../shared/context.js';
import type { UploadService } from './upload.service.js';
import { StageUploadInput, StageUploadPayload, StagedUpload } from './upload.type.js';

type Context = RequestContext<{ uploads: UploadService }>;

@Resolver()
export class UploadResolver {
  @Authorized()
  @Query(() => StagedUpload)
  stagedUpload(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.uploads.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => StageUploadPayload, {
    description:
      'Announces bytes to PUT to the returned url (single use, 10 minutes); they never pass through /graphql',
  })
  stageUpload(@Arg('input', () => StageUploadInput) input: StageUploadInput, @Ctx() ctx: Context) {
    return ctx.services.uploads.stage(viewerOf(ctx), input);
  }
}
