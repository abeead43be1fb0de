import { Logger } from '@nestjs/common';
import { loadConfig } from './config/env.schema.js';
import { createApp } from './create-app.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApp(config);
  if (config.role === 'worker') {
    // Runs background responses from the shared queue; serves no HTTP.
    await app.init();
    new Logger('Main').log('worker started (background responses from the Redis queue)');
    return;
  }
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const database = config.database.kind === 'postgres' ? 'PostgreSQL' : `embedded PGlite in ${config.database.dataDir}`;
  const queue = config.redis ? `Redis queue, role ${config.role}` : 'in-process queue';
  new Logger('Main').log(`listening on http://${config.host}:${port} (database: ${database}; ${queue})`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
