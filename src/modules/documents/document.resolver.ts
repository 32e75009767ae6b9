import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from './context.js';
import { viewerOf } from '../../shared/context.js';
import {
  CreateDocumentInput,
  CreateTagInput,
  Document,
  DocumentConnection,
  type DocumentRow,
  Tag,
  type TagRow,
  UpdateDocumentInput,
} from './document.type.js';

@Resolver(() => Document)
export class DocumentResolver {
  @Authorized()
  @Query(() => DocumentConnection, {
    description:
      'search: full-text (websearch syntax: words, "phrases", -excluded, or), best match first; otherwise last changed first. tagIds: documents having all of them.',
  })
  documents(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('tagIds', () => [ID], { nullable: true, description: 'Documents having all these tags (at most 100)' })
    tagIds: string[] | null,
    @Arg('search', () => String, { nullable: true }) search: string | null,
  ) {
    return ctx.services.documents.list(viewerOf(ctx), first, after, tagIds, search);
  }

  @Authorized()
  @Query(() => Document)
  document(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.documents.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Document)
  createDocument(@Arg('input', () => CreateDocumentInput) input: CreateDocumentInput, @Ctx() ctx: Context) {
    return ctx.services.documents.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => Document)
  updateDocument(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateDocumentInput) input: UpdateDocumentInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.documents.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => ID)
  deleteDocument(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.documents.delete(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Document, { description: 'Replaces the set of tags' })
  setDocumentTags(
    @Arg('documentId', () => ID) documentId: string,
    @Arg('tagIds', () => [ID], { description: 'At most 100' }) tagIds: string[],
    @Ctx() ctx: Context,
  ) {
    return ctx.services.documents.setTags(viewerOf(ctx), documentId, tagIds);
  }

  @FieldResolver(() => [Tag])
  tags(@Root() doc: DocumentRow, @Ctx() ctx: Context) {
    return ctx.loaders.tagsByDocument.load(doc.id);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Highlighted excerpt (<mark>…</mark>) when the document was found by a search; null otherwise',
  })
  snippet(@Root() doc: DocumentRow): string | null {
    return doc.snippet ?? null;
  }
}

@Resolver(() => Tag)
export class TagResolver {
  @Authorized()
  @Query(() => [Tag], { description: "The viewer's tags, by name" })
  tags(@Ctx() ctx: Context) {
    return ctx.services.documents.tags(viewerOf(ctx));
  }

  @Authorized()
  @Mutation(() => Tag)
  createTag(@Arg('input', () => CreateTagInput) input: CreateTagInput, @Ctx() ctx: Context) {
    return ctx.services.documents.createTag(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Removes the tag from every document' })
  deleteTag(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.documents.deleteTag(viewerOf(ctx), id);
  }

  @FieldResolver(() => Int)
  documentCount(@Root() tag: TagRow, @Ctx() ctx: Context) {
    return ctx.loaders.documentCountByTag.load(tag.id);
  }
}
