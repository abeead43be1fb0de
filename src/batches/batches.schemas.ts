import { z } from 'zod';
import { metadataSchema } from '../items/responses.schemas.js';

/** The endpoints a batch line may call here; OpenAI's others (embeddings, images…) are not served by this server. */
export const batchEndpoints = ['/v1/responses'] as const;

export const createBatchSchema = z.strictObject({
  input_file_id: z.string().min(1),
  endpoint: z.string(),
  completion_window: z.literal('24h'),
  metadata: metadataSchema.nullish(),
  output_expires_after: z
    .strictObject({
      anchor: z.literal('created_at'),
      seconds: z
        .number()
        .int()
        .min(3_600)
        .max(30 * 24 * 3_600),
    })
    .nullish(),
});

export const listBatchesQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).optional(),
});
