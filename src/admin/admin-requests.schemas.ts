import { z } from 'zod';
import { type RunStatus, runStatuses } from './admin-runs.repository.js';
import { booleanParamSchema, unixSecondsSchema } from './admin-usage.schemas.js';

// What the admin routes accept, as the controllers validate it. The admin OpenAPI document is
// built from these same schemas (openapi/admin-routes.ts): a `.describe()` here is the parameter's
// or the field's description there.

/** A page of a list: `limit` and the `after` cursor (src/common/pagination.ts). */
const pageQuery = {
  limit: z.coerce.number().int().min(1).max(100).default(20).describe('Page size, 1-100.'),
  after: z.string().min(1).optional().describe('The `last_id` of the previous page.'),
};
const orderQuery = { order: z.enum(['asc', 'desc']).default('desc').describe('By creation time.') };

// ---- Projects and keys

export const createProjectSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'project ids are 1-64 letters, digits, _ or -')
    .optional()
    .describe('1-64 letters, digits, `_` or `-`; `proj_…` when not given. A taken id is a 400.'),
  name: z.string().max(256).nullish(),
});
export const createKeySchema = z.object({ name: z.string().max(256).nullish() });
export const listProjectsSchema = z.object(pageQuery);
export { keyLimitsSchema as updateKeyLimitsSchema, projectLimitsSchema as updateProjectLimitsSchema } from '../limits/limits.js';

// ---- Conversations

const timeFilter = (what: string) => unixSecondsSchema.optional().describe(`${what} (unix seconds).`);

export const conversationListQuerySchema = z
  .object({
    ...pageQuery,
    ...orderQuery,
    project_id: z.string().min(1).optional(),
    created_after: timeFilter('Created at or after'),
    created_before: timeFilter('Created before'),
    updated_after: timeFilter('Last active at or after'),
    updated_before: timeFilter('Last active before'),
    model: z.string().min(1).optional().describe('Conversations with at least one response of this model.'),
    has_failed_responses: booleanParamSchema.optional(),
    include_deleted: booleanParamSchema.optional().describe('Default false.'),
  })
  .refine((query) => !(query.created_after && query.created_before && query.created_before <= query.created_after), {
    message: 'created_before must be later than created_after',
    path: ['created_before'],
  })
  .refine((query) => !(query.updated_after && query.updated_before && query.updated_before <= query.updated_after), {
    message: 'updated_before must be later than updated_after',
    path: ['updated_before'],
  });

export const conversationDetailQuerySchema = z.object({
  items_limit: z.coerce.number().int().min(1).max(1000).default(100).describe('Items per page, 1-1000.'),
  // Digits only, like the times: coercion would read an empty value as seq 0 and skip the first item.
  items_after: z
    .string()
    .regex(/^\d+$/, 'expected the seq of an item')
    .transform(Number)
    .optional()
    .describe('The `seq` of the last item of the previous page.'),
});

// ---- Runs

/** What an operator looks at first: runs waiting, running, or that need a decision (failed). */
export const DEFAULT_RUN_STATUSES = ['queued', 'in_progress', 'failed'] as const;

export const listRunsSchema = z.object({
  // `status=failed,cancelled` or `status=failed&status=cancelled`.
  status: z
    .union([z.string(), z.array(z.string())])
    .transform((value, context) => {
      const statuses = (Array.isArray(value) ? value : [value]).flatMap((entry) => entry.split(',')).map((entry) => entry.trim());
      const unknown = statuses.find((status) => !(runStatuses as readonly string[]).includes(status));
      if (unknown === undefined) return statuses as RunStatus[];
      // Reported on `status` itself: an index into the split list would name nothing the client sent.
      context.addIssue({ code: 'custom', message: `'${unknown}' is not one of ${runStatuses.join(', ')}` });
      return z.NEVER;
    })
    .optional()
    .describe(
      `Any of ${runStatuses.map((status) => `\`${status}\``).join(', ')}, repeated or comma-separated. Default: \`queued\`, \`in_progress\` and \`failed\`.`,
    ),
  project_id: z.string().min(1).optional(),
  ...pageQuery,
  ...orderQuery,
});
