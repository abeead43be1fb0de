import { Redis } from 'ioredis';

/**
 * The Redis side of a production deployment: one connection for commands, one for pub/sub
 * (a subscribed connection can do nothing else), and fresh ones for blocking reads. Every key
 * and channel is prefixed, so several deployments (or test files) can share one Redis.
 */
export class RedisConnections {
  readonly commands: Redis;
  readonly subscriber: Redis;
  private readonly extra = new Set<Redis>();

  constructor(
    readonly url: string,
    readonly keyPrefix: string,
  ) {
    this.commands = new Redis(url, { maxRetriesPerRequest: null });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null });
  }

  key(...parts: string[]): string {
    return [this.keyPrefix, ...parts].join(':');
  }

  /** A connection of its own for a blocking command; `release` closes it. */
  blocking(): { connection: Redis; release: () => void } {
    const connection = this.commands.duplicate();
    this.extra.add(connection);
    return {
      connection,
      release: () => {
        this.extra.delete(connection);
        connection.disconnect();
      },
    };
  }

  async close(): Promise<void> {
    for (const connection of this.extra) connection.disconnect();
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
  }
}
