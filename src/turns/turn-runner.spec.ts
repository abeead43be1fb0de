import { collect } from '../../test/async.js';
import { ProviderError } from '../common/provider-error.js';
import type { Item } from '../items/item.schemas.js';
import type { ModelRequest } from '../planning/model-request.js';
import type { ModelAdapter, ModelStreamPart } from '../providers/model-adapter.js';
import { StoppedByServer, type Turn, type TurnOutcome, TurnRun } from './turn-runner.js';

const request = { model: 'm', instructions: null, items: [], tools: [], toolChoice: 'auto' } as unknown as ModelRequest;

function adapterOf(parts: ModelStreamPart[], failure?: Error): ModelAdapter {
  return {
    async *stream() {
      for (const part of parts) yield part;
      if (failure) throw failure;
    },
  };
}

function turnWith(adapter: ModelAdapter, commits: TurnOutcome[]): Turn<{ status: string; output: Item[] }> {
  return {
    adapter,
    request,
    resolveToolName: (name) => ({ name, namespace: null, kind: 'function' as const }),
    renderInProgress: (output) => ({ status: 'in_progress', output }),
    commit: async (outcome) => {
      commits.push(outcome);
      return { status: outcome.status, output: outcome.output };
    },
  };
}

describe(TurnRun.name, () => {
  it('numbers events from 0 and commits before the terminal event', async () => {
    const commits: TurnOutcome[] = [];
    const run = new TurnRun(
      turnWith(
        adapterOf([
          { type: 'text-delta', delta: 'hi' },
          { type: 'finish', reason: { unified: 'stop', raw: 'stop' }, usage: null },
        ]),
        commits,
      ),
    );
    const events = await collect(run.events(new AbortController().signal));
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(events[0]!.type).toBe('response.created');
    expect(events[1]!.type).toBe('response.in_progress');
    expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed' } });
    expect(commits).toHaveLength(1);
    expect(run.final).toEqual({ status: 'completed', output: commits[0]!.output });
  });

  it('ends a turn cut by max tokens as incomplete', async () => {
    const commits: TurnOutcome[] = [];
    const run = new TurnRun(
      turnWith(
        adapterOf([
          { type: 'text-delta', delta: 'long' },
          { type: 'finish', reason: { unified: 'length', raw: 'length' }, usage: null },
        ]),
        commits,
      ),
    );
    const events = await collect(run.events(new AbortController().signal));
    expect(events.at(-1)!.type).toBe('response.incomplete');
    expect(commits[0]).toMatchObject({ status: 'incomplete', incompleteDetails: { reason: 'max_output_tokens' } });
    expect(commits[0]!.output[0]).toMatchObject({ status: 'incomplete' });
  });

  it('turns an upstream failure after output into response.failed, keeping the partial output', async () => {
    const commits: TurnOutcome[] = [];
    const failure = new ProviderError({ provider: 'openai', message: 'boom', status: 429 });
    const run = new TurnRun(turnWith(adapterOf([{ type: 'text-delta', delta: 'par' }], failure), commits));
    const events = await collect(run.events(new AbortController().signal));
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(commits[0]).toMatchObject({ status: 'failed', error: { code: 'rate_limit_exceeded' }, cause: failure });
    expect(commits[0]!.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
  });

  it('records an aborted turn as cancelled', async () => {
    const commits: TurnOutcome[] = [];
    const controller = new AbortController();
    const adapter: ModelAdapter = {
      async *stream(_request, signal) {
        yield { type: 'text-delta', delta: 'x' };
        controller.abort();
        if (signal.aborted) throw signal.reason;
      },
    };
    await collect(new TurnRun(turnWith(adapter, commits)).events(controller.signal));
    expect(commits[0]!.status).toBe('cancelled');
    // The provider never reported usage: the stored usage is an estimate, and says so.
    expect(commits[0]).toMatchObject({ usageEstimated: true, usage: { outputTokens: 1 } });
  });

  it('records a turn the server stopped (shutdown) as failed with the reason, not cancelled', async () => {
    const commits: TurnOutcome[] = [];
    const controller = new AbortController();
    const adapter: ModelAdapter = {
      async *stream(_request, signal) {
        yield { type: 'text-delta', delta: 'x' };
        controller.abort(new StoppedByServer());
        if (signal.aborted) throw signal.reason;
      },
    };
    const events = await collect(new TurnRun(turnWith(adapter, commits)).events(controller.signal));
    expect(events.at(-1)!.type).toBe('response.failed');
    expect(commits[0]).toMatchObject({ status: 'failed', error: { code: 'server_error', message: expect.stringContaining('shut down') } });
  });

  it('completes a turn quietly: the same outcome and final Response, and no events built', async () => {
    const parts: ModelStreamPart[] = [
      { type: 'text-delta', delta: 'hi' },
      { type: 'finish', reason: { unified: 'stop', raw: 'stop' }, usage: null },
    ];
    const commits: TurnOutcome[] = [];
    let rendered = 0;
    const turn = { ...turnWith(adapterOf(parts), commits), renderInProgress: () => ({ status: 'in_progress', output: [], rendered: ++rendered }) };
    const run = new TurnRun(turn);
    await run.complete(new AbortController().signal);
    expect(rendered).toBe(0);
    expect(commits).toHaveLength(1);
    expect(run.outcome).toMatchObject({
      status: 'completed',
      output: [{ type: 'message', status: 'completed', content: [{ type: 'output_text', text: 'hi' }] }],
    });
    expect(run.final).toEqual({ status: 'completed', output: commits[0]!.output });
  });

  it('completes a failing turn quietly as failed, with its cause', async () => {
    const commits: TurnOutcome[] = [];
    const failure = new ProviderError({ provider: 'openai', message: 'boom', status: 500 });
    const run = new TurnRun(turnWith(adapterOf([{ type: 'text-delta', delta: 'par' }], failure), commits));
    await run.complete(new AbortController().signal);
    expect(run.outcome).toMatchObject({ status: 'failed', error: { code: 'server_error' }, cause: failure });
    expect(commits[0]!.output[0]).toMatchObject({ type: 'message', status: 'incomplete' });
  });
});
