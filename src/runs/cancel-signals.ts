import type { RedisConnections } from './redis.js';

/**
 * How a cancel reaches the process running a response. Embedded, that is always this process,
 * so there is nobody to tell; in production every instance listens on one Redis channel.
 */
export abstract class CancelSignals {
  /** Tells every other instance; false when there are none to tell. */
  abstract publish(responseId: string): Promise<boolean>;
  abstract listen(handler: (responseId: string) => void): Promise<void>;
}

export class LocalCancelSignals extends CancelSignals {
  async publish(): Promise<boolean> {
    return false;
  }

  async listen(): Promise<void> {}
}

export class RedisCancelSignals extends CancelSignals {
  constructor(private readonly redis: RedisConnections) {
    super();
  }

  async publish(responseId: string): Promise<boolean> {
    await this.redis.commands.publish(this.channel(), responseId);
    return true;
  }

  async listen(handler: (responseId: string) => void): Promise<void> {
    const channel = this.channel();
    this.redis.subscriber.on('message', (from: string, message: string) => {
      if (from === channel) handler(message);
    });
    await this.redis.subscriber.subscribe(channel);
  }

  private channel(): string {
    return this.redis.key('cancel');
  }
}
