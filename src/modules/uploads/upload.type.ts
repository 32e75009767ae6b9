import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONScalar } from '../../shared/scalars.js';
import type { stagedUploads } from '../../db/schema/index.js';

export type StagedUploadRow = typeof stagedUploads.$inferSelect;

export enum UploadPurpose {
  CAPTURE_AUDIO = 'CAPTURE_AUDIO',
  CALENDAR_IMPORT = 'CALENDAR_IMPORT',
}
registerEnumType(UploadPurpose, {
  name: 'UploadPurpose',
  valuesConfig: {
    CAPTURE_AUDIO: { description: 'Audio for a voice capture' },
    CALENDAR_IMPORT: { description: 'An .ics file to import into the calendar' },
  },
});

export enum StagedUploadStatus {
  WAITING = 'WAITING',
  RECEIVED = 'RECEIVED',
  USED = 'USED',
  EXPIRED = 'EXPIRED',
  REJECTED = 'REJECTED',
}
registerEnumType(StagedUploadStatus, { name: 'StagedUploadStatus' });

@ObjectType({ description: 'Bytes announced with stageUpload and sent with PUT to its url' })
export class StagedUpload {
  @Field(() => ID) id!: string;
  @Field(() => UploadPurpose) purpose!: UploadPurpose;
  @Field(() => String) contentType!: string;
  @Field(() => Int, { description: 'Bytes the server accepts for this upload (the declared size)' })
  maxBytes!: number;
  @Field(() => Int, { nullable: true, description: 'Bytes received, once RECEIVED' }) size!: number | null;
  @Field(() => StagedUploadStatus) status!: StagedUploadStatus;
  @Field(() => String, { nullable: true, description: 'Why the bytes were refused, when REJECTED' })
  error!: string | null;
  @Field(() => Date, { description: 'The PUT deadline' }) expiresAt!: Date;
}

@ObjectType()
export class StageUploadPayload {
  @Field(() => StagedUpload) upload!: StagedUpload;
  @Field(() => String, {
    description: 'PUT the bytes here; the URL is the credential: single use, returned only here',
  })
  url!: string;
  @Field(() => JSONScalar, { description: 'Headers the PUT must carry (Content-Type as declared)' })
  headers!: Record<string, string>;
}

@InputType()
export class StageUploadInput {
  @Field(() => UploadPurpose) purpose!: UploadPurpose;
  @Field(() => String, {
    description: 'e.g. audio/webm, audio/ogg, audio/mp4, audio/mpeg, audio/wav, audio/flac; text/calendar',
  })
  contentType!: string;
  @Field(() => Int, { description: 'Declared size in bytes' }) size!: number;
  @Field(() => String, { nullable: true }) filename?: string | null;
}
