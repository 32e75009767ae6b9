import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { boardMembers, boardStates, boards } from '../../db/schema/index.js';

export enum BoardRole {
  OWNER = 'OWNER',
  EDITOR = 'EDITOR',
  VIEWER = 'VIEWER',
}
export enum StateCategory {
  BACKLOG = 'BACKLOG',
  UNSTARTED = 'UNSTARTED',
  STARTED = 'STARTED',
  COMPLETED = 'COMPLETED',
  CANCELED = 'CANCELED',
}
export enum AutoAssignMode {
  OFF = 'OFF',
  ROUND_ROBIN = 'ROUND_ROBIN',
  BALANCED = 'BALANCED',
}
export enum WipPolicy {
  WARN = 'WARN',
  BLOCK = 'BLOCK',
}
registerEnumType(BoardRole, { name: 'BoardRole' });
registerEnumType(StateCategory, {
  name: 'StateCategory',
  description: 'Fixed categories every board state belongs to (Linear WorkflowState.type, Plane StateGroup)',
});
registerEnumType(AutoAssignMode, { name: 'AutoAssignMode' });
registerEnumType(WipPolicy, {
  name: 'WipPolicy',
  description: 'WARN: over-limit columns are only reported; BLOCK: moves into a full column are refused',
});

export type BoardRow = typeof boards.$inferSelect;
export type BoardWithRole = BoardRow & { myRole: BoardRole };
export type BoardMemberRow = typeof boardMembers.$inferSelect;
export type BoardStateRow = typeof boardStates.$inferSelect;

/** Resolvers receive a board row with the viewer's role; everything else comes from loaders. */
@ObjectType()
export class Board {
  @Field(() => ID) id!: string;
  @Field(() => String, {
    description: '2-10 of A-Z0-9, starting with a letter; ticket identifiers are KEY-number',
  })
  key!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => BoardRole) myRole!: BoardRole;
  @Field(() => Boolean, {
    description: 'New tickets from mail, the public form and non-members wait in the standby queue',
  })
  triageEnabled!: boolean;
  @Field(() => AutoAssignMode) autoAssign!: AutoAssignMode;
  @Field(() => WipPolicy) wipPolicy!: WipPolicy;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date) updatedAt!: Date;
}

@ObjectType()
export class BoardMember {
  @Field(() => BoardRole) role!: BoardRole;
  @Field(() => Boolean, { description: 'On the standby rota: eligible for auto-assignment and claimNextTicket' })
  acceptsAssignments!: boolean;
  @Field(() => Date) addedAt!: Date;
}

@ObjectType()
export class BoardState {
  @Field(() => ID) id!: string;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) color!: string | null;
  @Field(() => StateCategory) category!: StateCategory;
  @Field(() => Int) position!: number;
  @Field(() => Int, { nullable: true, description: 'Null: no limit' }) wipLimit!: number | null;
}
