import { Authorized, Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { JSONScalar } from '../../shared/scalars.js';

@Resolver()
export class ExportResolver {
  @Authorized('SESSION')
  @Query(() => JSONScalar, { description: 'Everything the viewer owns, as one JSON document (no secrets)' })
  exportMyData(@Ctx() ctx: Context) {
    return ctx.services.exporter.export(viewerOf(ctx));
  }
}
