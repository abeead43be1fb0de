import { z } from 'zod';

/** What an upload may be for (OpenAI's CreateFileRequest); batch input is what this server reads. */
export const uploadPurposes = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;
/** Purposes of files the server writes (a batch's output and errors). */
export const outputPurposes = ['batch_output'] as const;

export const uploadFieldsSchema = z.strictObject({
  purpose: z.enum(uploadPurposes),
  'expires_after[anchor]': z.literal('created_at').optional(),
  'expires_after[seconds]': z.coerce
    .number()
    .int()
    .min(3_600)
    .max(30 * 24 * 3_600)
    .optional(),
});

export const listFilesQuerySchema = z.object({
  purpose: z.enum([...uploadPurposes, ...outputPurposes]).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().min(1).optional(),
});
export type ListFilesQuery = z.infer<typeof listFilesQuerySchema>;

/** OpenAI's file object. `status` is deprecated there but still required by its schema: a stored file is `processed`. */
export interface PublicFile {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at?: number;
  filename: string;
  purpose: string;
  status: 'processed';
}
