import { Arg, Authorized, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import { CreateLabelInput, UpdateLabelInput } from './task.inputs.js';
import { Label } from './task.type.js';

@Resolver(() => Label)
export class LabelResolver {
  @Authorized()
  @Query(() => [Label], { description: "The viewer's own labels, by name" })
  labels(@Ctx() ctx: Context) {
    return ctx.services.labels.list(viewerOf(ctx));
  }

  @Authorized()
  @Mutation(() => Label)
  createLabel(@Arg('input', () => CreateLabelInput) input: CreateLabelInput, @Ctx() ctx: Context) {
    return ctx.services.labels.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => Label)
  updateLabel(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateLabelInput) input: UpdateLabelInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.labels.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Detaches the label from every task' })
  deleteLabel(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.labels.delete(viewerOf(ctx), id);
  }
}
