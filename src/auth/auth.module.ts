import { Global, Module } from '@nestjs/common';
import { AdminKeyGuard } from './admin-key.guard.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { AuthService } from './auth.service.js';

@Global()
@Module({ providers: [AuthService, ApiKeyGuard, AdminKeyGuard], exports: [AuthService, ApiKeyGuard, AdminKeyGuard] })
export class AuthModule {}
