import { Arg, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../shared/context.js';
import { viewerOf } from '../../shared/context.js';
import { Capture, type CaptureRow } from './capture.type.js';
import type { TranscriptValue } from './stt-client.js';
import type { VoiceCaptureService } from './voice.service.js';
import { CaptureAudio, CaptureServiceStatus, CreateVoiceCaptureInput, Transcript } from './voice.type.js';

type Context = RequestContext<{ voiceCaptures: VoiceCaptureService }>;

@Resolver()
export class VoiceCaptureResolver {
  @Authorized()
  @Query(() => CaptureServiceStatus)
  captureServiceStatus(@Ctx() ctx: Context) {
    return ctx.services.voiceCaptures.status(viewerOf(ctx));
  }

  @Authorized()
  @Mutation(() => Capture, {
    description: 'A RECEIVED audio upload becomes a capture (TRANSCRIBING); captureChanged tells the rest',
  })
  createVoiceCapture(@Arg('input', () => CreateVoiceCaptureInput) input: CreateVoiceCaptureInput, @Ctx() ctx: Context) {
    return ctx.services.voiceCaptures.create(viewerOf(ctx), input);
  }
}

/** A voice capture's audio and transcript, from the capture's own row. */
@Resolver(() => Capture)
export class CaptureVoiceFields {
  @FieldResolver(() => CaptureAudio, { nullable: true })
  audio(@Root() capture: CaptureRow, @Ctx() ctx: Context): CaptureAudio | null {
    if (!capture.audioContentType) return null;
    const base = ctx.app.config.APP_URL.replace(/\/+$/, '');
    return {
      contentType: capture.audioContentType,
      size: capture.audioSize ?? 0,
      durationSeconds: capture.audioDuration,
      url: capture.uploadId ? `${base}/files/capture-audio/${capture.id}` : null,
      purgeAt: capture.uploadId ? capture.audioPurgeAt : null,
    };
  }

  @FieldResolver(() => Transcript, { nullable: true })
  transcript(@Root() capture: CaptureRow): Transcript | null {
    const t = capture.transcript as Omit<TranscriptValue, 'noSpeech'> | null;
    return t ? { ...t, model: t.model } : null;
  }
}
