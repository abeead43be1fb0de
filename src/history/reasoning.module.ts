import { Module } from '@nestjs/common';
import { ReasoningEnvelope } from './reasoning-envelope.js';

@Module({ providers: [ReasoningEnvelope], exports: [ReasoningEnvelope] })
export class ReasoningModule {}
