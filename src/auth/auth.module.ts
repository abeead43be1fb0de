import { Global, Module } from '@nestjs/common';
import { AdminKeyGuard } from './admin-key.guard.js';
import { ApiKeyGuard } from './api-key.guard.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { AuthService } from './auth.service.js';

@Global()
@Module({ providers: [ApiKeysRepository, AuthService, ApiKeyGuard, AdminKeyGuard], exports: [AuthService, ApiKeyGuard, AdminKeyGuard] })
export class AuthModule {}
