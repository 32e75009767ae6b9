import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { viewerOf } from '../../shared/context.js';
import { pageRequest } from '../../shared/pagination.js';
import { CreateLabelInput, Label } from '../tasks/index.js';
import { User } from '../users/index.js';
import type { Context } from './context.js';
import { Board, BoardMember, BoardRole, BoardState, type BoardStateRow, type BoardWithRole } from './board.type.js';
import type { MemberWithCount } from './tracker.loaders.js';
import { TicketConnection } from './ticket.type.js';
import {
  CreateBoardInput,
  CreateBoardStateInput,
  TicketFilter,
  TicketOrder,
  UpdateBoardInput,
  UpdateBoardStateInput,
} from './tracker.inputs.js';

@Resolver(() => Board)
export class BoardResolver {
  @Authorized()
  @Query(() => [Board], { description: 'Boards the viewer is a member of, by name' })
  boards(@Ctx() ctx: Context) {
    return ctx.services.boards.boardsOf(viewerOf(ctx));
  }

  @Authorized()
  @Query(() => Board)
  board(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.boards.get(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Board, { description: 'With Backlog (the default), Todo, In Progress, Done and Canceled' })
  createBoard(@Arg('input', () => CreateBoardInput) input: CreateBoardInput, @Ctx() ctx: Context) {
    return ctx.services.boards.create(viewerOf(ctx), input);
  }

  @Authorized()
  @Mutation(() => Board, { description: 'Owner only; a former key keeps resolving in mail subjects' })
  updateBoard(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateBoardInput) input: UpdateBoardInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.boards.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'Owner only; deletes its tickets too' })
  deleteBoard(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.boards.delete(viewerOf(ctx), id);
  }

  @Authorized()
  @Mutation(() => Board, { description: 'On an existing member this changes the role' })
  addBoardMember(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('email', () => String) email: string,
    @Arg('role', () => BoardRole) role: BoardRole,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.boards.addMember(viewerOf(ctx), boardId, email, role);
  }

  @Authorized()
  @Mutation(() => Board, { description: 'The owner removes a member; a member may remove themselves (leave)' })
  removeBoardMember(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('userId', () => ID) userId: string,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.boards.removeMember(viewerOf(ctx), boardId, userId);
  }

  @Authorized()
  @Mutation(() => BoardMember, { description: "The viewer's own place on the standby rota" })
  async setBoardAvailability(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('acceptsAssignments', () => Boolean) acceptsAssignments: boolean,
    @Ctx() ctx: Context,
  ) {
    const row = await ctx.services.boards.setAvailability(viewerOf(ctx), boardId, acceptsAssignments);
    const members = await ctx.loaders.membersByBoard.load(row.boardId);
    return members.find((m) => m.userId === row.userId) ?? { ...row, openAssignedCount: 0 };
  }

  @Authorized()
  @Mutation(() => BoardState)
  createBoardState(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('input', () => CreateBoardStateInput) input: CreateBoardStateInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.boardStates.create(viewerOf(ctx), boardId, input);
  }

  @Authorized()
  @Mutation(() => BoardState)
  updateBoardState(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateBoardStateInput) input: UpdateBoardStateInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.boardStates.update(viewerOf(ctx), id, input);
  }

  @Authorized()
  @Mutation(() => ID, { description: 'A state that still holds tickets needs moveTicketsToStateId' })
  deleteBoardState(
    @Arg('id', () => ID) id: string,
    @Arg('moveTicketsToStateId', () => ID, { nullable: true }) moveTo: string | null,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.boardStates.delete(viewerOf(ctx), id, moveTo);
  }

  @Authorized()
  @Mutation(() => Label)
  createBoardLabel(
    @Arg('boardId', () => ID) boardId: string,
    @Arg('input', () => CreateLabelInput) input: CreateLabelInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.boardStates.createLabel(viewerOf(ctx), boardId, input);
  }

  // ---------------------------------------------------------------- fields
  @FieldResolver(() => User)
  owner(@Root() board: BoardWithRole, @Ctx() ctx: Context) {
    return ctx.loaders.userById.value(board.ownerId);
  }

  @FieldResolver(() => [BoardMember])
  members(@Root() board: BoardWithRole, @Ctx() ctx: Context) {
    return ctx.loaders.membersByBoard.load(board.id);
  }

  @FieldResolver(() => [BoardState], { description: 'Ordered by position' })
  states(@Root() board: BoardWithRole, @Ctx() ctx: Context) {
    return ctx.loaders.statesByBoard.value(board.id);
  }

  @FieldResolver(() => BoardState, {
    description: 'Where accepted tickets and member-made tickets land unless told otherwise',
  })
  async defaultState(@Root() board: BoardWithRole, @Ctx() ctx: Context) {
    const states = await ctx.loaders.statesByBoard.value(board.id);
    return states.find((s) => s.id === board.defaultStateId) ?? states[0];
  }

  @FieldResolver(() => [Label])
  labels(@Root() board: BoardWithRole, @Ctx() ctx: Context) {
    return ctx.loaders.labelsByBoard.load(board.id);
  }

  @FieldResolver(() => TicketConnection)
  tickets(
    @Root() board: BoardWithRole,
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true }) first: number | null,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => TicketFilter, { nullable: true }) filter: TicketFilter | null,
    @Arg('orderBy', () => TicketOrder, { nullable: true }) orderBy: TicketOrder | null,
  ) {
    return ctx.loaders.ticketsOfBoard(filter, orderBy, pageRequest(first, after)).load(board.id);
  }

  @FieldResolver(() => Int, { description: 'PENDING tickets (SNOOZED ones wake up on their own)' })
  standbyCount(@Root() board: BoardWithRole, @Ctx() ctx: Context) {
    return ctx.loaders.standbyCountByBoard.load(board.id);
  }
}

@Resolver(() => BoardMember)
export class BoardMemberResolver {
  @FieldResolver(() => User)
  user(@Root() member: MemberWithCount, @Ctx() ctx: Context) {
    return ctx.loaders.userById.value(member.userId);
  }

  @FieldResolver(() => Int, { description: 'Assigned tickets in UNSTARTED/STARTED states' })
  openAssignedCount(@Root() member: MemberWithCount) {
    return member.openAssignedCount;
  }
}

@Resolver(() => BoardState)
export class BoardStateResolver {
  @FieldResolver(() => Int)
  ticketCount(@Root() state: BoardStateRow, @Ctx() ctx: Context) {
    return ctx.loaders.ticketCountByState.load(state.id);
  }
}
