import { Global, Module } from '@nestjs/common';
import { type AppConfig } from './env.schema.js';
import { ModelCatalog } from './model-catalog.js';

/** Injection token of the parsed AppConfig. */
export const APP_CONFIG = Symbol('APP_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig) {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: ModelCatalog, useFactory: () => ModelCatalog.load(config.modelsFile) },
      ],
      exports: [APP_CONFIG, ModelCatalog],
    };
  }
}
