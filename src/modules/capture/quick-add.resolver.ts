import { Arg, Authorized, Ctx, Query, Resolver } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import type { RequestContext } from '../../shared/context.js';
import type { QuickAddService } from './quick-add.service.js';
import { QuickAddPreview } from './quick-add.type.js';

type Context = RequestContext<{ quickAdd: QuickAddService }, object>;

@Resolver()
export class QuickAddResolver {
  @Authorized()
  @Query(() => QuickAddPreview, {
    description: 'Rule-based reading of one quick-add line (dates, #list, +project, @label, p1-p4, //notes)',
  })
  parseQuickAdd(@Arg('text', () => String) text: string, @Ctx() ctx: Context) {
    return ctx.services.quickAdd.preview(viewerOf(ctx), text);
  }
}
