import { randomBytes } from 'node:crypto';

export type IdPrefix = 'resp' | 'msg' | 'fc' | 'fco' | 'rs' | 'conv' | 'thr' | 'key' | 'evt' | 'call' | 'req' | 'we' | 'wh' | 'proj' | 'cmp';

/**
 * Opaque prefixed ids: 12 hex digits of the millisecond clock, then 20 random hex digits. The time
 * prefix keeps new rows at the right edge of primary-key indexes; the random part makes ids unguessable
 * enough that another project cannot probe them (and would get a 404 anyway).
 */
export function newId(prefix: IdPrefix): string {
  const time = Date.now().toString(16).padStart(12, '0');
  return `${prefix}_${time}${randomBytes(10).toString('hex')}`;
}
