import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

export enum CaptureAutoAccept {
  OFF = 'OFF',
  RULES = 'RULES',
  CONFIDENT = 'CONFIDENT',
}
registerEnumType(CaptureAutoAccept, {
  name: 'CaptureAutoAccept',
  valuesConfig: {
    OFF: { description: 'Every suggestion waits for the user (default)' },
    RULES: { description: 'Suggestions of the quick-add grammar are accepted at once; model ones wait' },
    CONFIDENT: { description: 'As RULES, and model suggestions with confidence >= 0.9 and nothing missing' },
  },
});

@ObjectType()
export class CaptureAudio {
  @Field(() => String) contentType!: string;
  @Field(() => Int) size!: number;
  @Field(() => Float, { nullable: true }) durationSeconds!: number | null;
  @Field(() => String, {
    nullable: true,
    description: 'GET with the same credentials as /graphql; null once the audio is deleted',
  })
  url!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the audio is deleted (the transcript stays)' })
  purgeAt!: Date | null;
}

@ObjectType()
export class TranscriptSegment {
  @Field(() => Float, { description: 'Seconds from the start of the audio' }) start!: number;
  @Field(() => Float) end!: number;
  @Field(() => String) text!: string;
}

@ObjectType()
export class Transcript {
  @Field(() => String) text!: string;
  @Field(() => String, { nullable: true, description: 'ISO-639-1, as detected or requested' })
  language!: string | null;
  @Field(() => Float, { nullable: true }) durationSeconds!: number | null;
  @Field(() => [TranscriptSegment], { description: 'Empty when the provider returned no timestamps' })
  segments!: TranscriptSegment[];
  @Field(() => String, { nullable: true }) model!: string | null;
}

@InputType()
export class CreateVoiceCaptureInput {
  @Field(() => ID, { description: 'A RECEIVED upload of purpose CAPTURE_AUDIO' }) uploadId!: string;
  @Field(() => String, {
    nullable: true,
    description: 'ISO-639-1 hint; default settings.transcriptionLanguage (null: detect)',
  })
  language?: string | null;
  @Field(() => Boolean, { nullable: true }) triage?: boolean | null;
  @Field(() => String, { nullable: true }) clientKey?: string | null;
}

@ObjectType()
export class CaptureQuota {
  @Field(() => Int, { description: 'Voice captures made this month' }) voiceCapturesUsed!: number;
  @Field(() => Int) audioSecondsUsed!: number;
  @Field(() => Int) audioSecondsLimit!: number;
  @Field(() => Date, { description: 'Start of the next calendar month (UTC)' }) resetsAt!: Date;
}

@ObjectType()
export class CaptureServiceStatus {
  @Field(() => Boolean, { description: 'A speech-to-text provider is configured' }) voiceAvailable!: boolean;
  @Field(() => Boolean, {
    description: 'A model is configured (without one, triage uses the quick-add grammar only)',
  })
  modelTriageAvailable!: boolean;
  @Field(() => String, { nullable: true, description: 'Why voice or model triage is unavailable' })
  reason!: string | null;
  @Field(() => Int) maxAudioBytes!: number;
  @Field(() => Int) maxAudioSeconds!: number;
  @Field(() => [String]) acceptedContentTypes!: string[];
  @Field(() => CaptureAutoAccept, {
    description: 'What is accepted without review (settings.captureAutoAccept; OFF until settings exist)',
  })
  autoAccept!: CaptureAutoAccept;
  @Field(() => CaptureQuota) quota!: CaptureQuota;
}
