import { randomBytes } from 'node:crypto';

export type IdPrefix =
  | 'resp'
  | 'msg'
  | 'fc'
  | 'fco'
  | 'ctc'
  | 'ctco'
  | 'item'
  | 'rs'
  | 'conv'
  | 'thr'
  | 'key'
  | 'evt'
  | 'call'
  | 'req'
  | 'we'
  | 'wh'
  | 'proj'
  | 'cmp'
  | 'file'
  | 'batch'
  | 'batch_req';

/**
 * Opaque prefixed ids: 12 hex digits of the millisecond clock, then 20 random hex digits. The time
 * prefix keeps new rows at the right edge of primary-key indexes; the random part makes ids unguessable
 * enough that another project cannot probe them (and would get a 404 anyway).
 */
export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(16).padStart(12, '0');
  return `${prefix}_${time}${randomHex()}`;
}

/**
 * Random bytes are drawn from the system a pool at a time (as node's randomUUID does): a request
 * makes a dozen ids, and one `randomBytes` call each cost more CPU than the rest of the id.
 */
const POOL_BYTES = 4_096;
const ID_BYTES = 10;
let pool = Buffer.alloc(0);
let offset = 0;

function randomHex(): string {
  if (offset + ID_BYTES > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  offset += ID_BYTES;
  return pool.toString('hex', offset - ID_BYTES, offset);
}
