import { Injectable } from '@nestjs/common';

/**
 * Work that writes to the database and must finish before it closes: a turn whose client already
 * left still commits its outcome. Shutdown waits for it (up to a limit) instead of cutting the
 * transaction off.
 */
@Injectable()
export class InFlightWork {
  private readonly running = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    this.running.add(work);
    const forget = () => this.running.delete(work);
    work.then(forget, forget);
    return work;
  }

  /** Resolves when everything tracked has settled, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.running.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.running]), timeout]);
    clearTimeout(timer);
  }
}
