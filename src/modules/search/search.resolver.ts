import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import type { Context } from './context.js';
import type { HitRow, RelationRow } from './search.service.js';
import {
  RelateInput,
  Relation,
  SearchHit,
  SearchMode,
  SearchResult,
  SearchableType,
  SemanticIndexStatus,
} from './search.type.js';

type RelationView = RelationRow & { otherType: SearchableType; otherId: string };

@Resolver(() => SearchHit)
export class SearchResolver {
  @Authorized()
  @Query(() => [SearchHit], {
    description:
      'Everything the viewer can see, best first (first: 1-50, default 20). The query uses web search syntax: words, "phrases", or, -excluded',
  })
  search(
    @Arg('query', () => String) query: string,
    @Arg('types', () => [SearchableType], { nullable: true }) types: SearchableType[] | null,
    @Arg('mode', () => SearchMode, { nullable: true }) mode: SearchMode | null,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.search.search(viewerOf(ctx), query, types, mode, first);
  }

  @Authorized()
  @Query(() => [SearchHit], { description: 'Items closest in meaning to the given one (needs semantic search)' })
  similar(
    @Arg('type', () => SearchableType) type: SearchableType,
    @Arg('id', () => ID) id: string,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.search.similar(viewerOf(ctx), type, id, first);
  }

  @Authorized()
  @Query(() => SemanticIndexStatus)
  semanticIndexStatus(@Ctx() ctx: Context): Promise<SemanticIndexStatus> {
    return ctx.services.search.status(viewerOf(ctx));
  }

  @Authorized()
  @Query(() => [Relation], {
    description: "The viewer's links of an item, both directions, whose other end the viewer can still see",
  })
  async related(
    @Arg('type', () => SearchableType) type: SearchableType,
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: Context,
  ): Promise<RelationView[]> {
    const rows = await ctx.services.search.related(viewerOf(ctx), type, id);
    const nodes = await ctx.loaders.searchNode.loadMany(rows.map((r) => `${r.otherType}:${r.otherId}`));
    return rows.filter((_, i) => nodes[i] && !(nodes[i] instanceof Error));
  }

  @Authorized()
  @Mutation(() => Relation, { description: 'Links two items the viewer can see (again: the same link)' })
  async relate(@Arg('input', () => RelateInput) input: RelateInput, @Ctx() ctx: Context): Promise<RelationView> {
    const row = await ctx.services.search.relate(viewerOf(ctx), input);
    return { ...row, otherType: row.toType as SearchableType, otherId: row.toId };
  }

  @Authorized()
  @Mutation(() => ID)
  unrelate(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.search.unrelate(viewerOf(ctx), id);
  }

  @FieldResolver(() => SearchResult)
  node(@Root() hit: HitRow, @Ctx() ctx: Context) {
    return ctx.loaders.searchNode.load(`${hit.type}:${hit.id}`);
  }
}

@Resolver(() => Relation)
export class RelationResolver {
  @FieldResolver(() => SearchResult)
  node(@Root() relation: RelationView, @Ctx() ctx: Context) {
    return ctx.loaders.searchNode.load(`${relation.otherType}:${relation.otherId}`);
  }
}
