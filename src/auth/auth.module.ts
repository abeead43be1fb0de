import { Global, Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard.js';
import { AuthService } from './auth.service.js';

@Global()
@Module({ providers: [AuthService, ApiKeyGuard], exports: [AuthService, ApiKeyGuard] })
export class AuthModule {}
