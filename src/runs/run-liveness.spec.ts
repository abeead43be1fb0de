import type { AppConfig } from '../config/env.schema.js';
import type { WebhooksService } from '../webhooks/webhooks.service.js';
import type { BackgroundRunner } from './background-runner.js';
import type { LiveEvents } from './live-events.js';
import { RunLiveness } from './run-liveness.js';
import type { RunsRepository, StaleRun } from './runs.repository.js';

// What one liveness check does with the runs of a process that died, by what their live logs show.
async function check(stale: StaleRun[], showed: Record<string, boolean | null>) {
  const failed = new Map<string, string>();
  const requeued: Array<[string, number]> = [];
  const reset: string[] = [];
  const announced: string[] = [];
  const repository = {
    beat: async () => undefined,
    stale: async () => stale,
    failStale: async (ids: string[], error: { message: string }) => {
      for (const id of ids) failed.set(id, error.message);
      return ids.map((id) => ({ id, background: stale.find((run) => run.id === id)!.background }));
    },
    requeueStale: async () => true,
    claimStaleQueued: async () => [],
  } as unknown as RunsRepository;
  const live = { showedOutput: async (id: string) => showed[id] ?? null, reset: async (id: string) => void reset.push(id) } as unknown as LiveEvents;
  const runner = { enqueue: async (id: string, attempt: number) => void requeued.push([id, attempt]) } as unknown as BackgroundRunner;
  const webhooks = { responseEnded: async (id: string) => void announced.push(id) } as unknown as WebhooksService;
  const liveness = new RunLiveness({ runStaleAfterMs: 15_000 } as AppConfig, repository, webhooks, runner, live);
  await liveness.onApplicationBootstrap();
  liveness.onApplicationShutdown();
  return { failed: Object.fromEntries(failed), requeued, reset, announced };
}

describe('RunLiveness', () => {
  it('queues again the background runs that showed nothing, and fails the rest, each with what happened', async () => {
    const result = await check(
      [
        { id: 'resp_quiet', background: true, attempts: 1 },
        { id: 'resp_streamed', background: true, attempts: 1 },
        { id: 'resp_third_time', background: true, attempts: 3 },
        { id: 'resp_embedded', background: true, attempts: 1 },
        { id: 'resp_sync', background: false, attempts: 0 },
      ],
      { resp_quiet: false, resp_streamed: true, resp_third_time: false, resp_embedded: null },
    );
    expect(result.requeued).toEqual([['resp_quiet', 1]]);
    expect(result.reset).toEqual(['resp_quiet']);
    expect(result.failed).toEqual({
      resp_sync: 'The server running this response stopped before it finished. Send the request again to retry it.',
      resp_embedded: 'The server running this response stopped before it finished. Send the request again to retry it.',
      resp_streamed:
        'The server running this response stopped after the response had started to stream output, so it was not run again. Send the request again to retry it.',
      resp_third_time:
        'The server running this response stopped 3 times before the response showed any output, so it was not run again. Send the request again to retry it.',
    });
    // Webhooks announce the end of background runs only.
    expect(result.announced.sort()).toEqual(['resp_embedded', 'resp_streamed', 'resp_third_time']);
  });
});
