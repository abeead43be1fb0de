// `prisma generate` wants to download a schema-engine binary it does not use for generation; pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file keeps it offline (architecture §7).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
const result = spawnSync('npx', ['prisma', 'generate'], { env, stdio: 'inherit' });
process.exit(result.status ?? 1);
