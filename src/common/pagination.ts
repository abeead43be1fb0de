import { z } from 'zod';

/** Query of the cursor-paginated list endpoints (`input_items`, conversation items). */
export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: z.string().min(1).optional(),
  include: z.union([z.string(), z.array(z.string())]).optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

export interface ListPage<T extends { id: string }> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** Builds the list envelope from `limit + 1` fetched rows: the extra row only tells whether more exist. */
export function toListPage<T extends { id: string }>(rows: T[], limit: number): ListPage<T> {
  const data = rows.slice(0, limit);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: rows.length > limit,
  };
}

/** The `where` on `seq` for the keyset page that follows the row at `afterSeq`, read in `order`. */
export function seqAfter(order: 'asc' | 'desc', afterSeq: number | null): { seq?: { gt: number } | { lt: number } } {
  if (afterSeq === null) return {};
  return { seq: order === 'asc' ? { gt: afterSeq } : { lt: afterSeq } };
}
