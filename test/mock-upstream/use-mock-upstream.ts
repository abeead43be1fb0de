import { type MockUpstream, type MockUpstreamOptions, startMockUpstream } from './mock-upstream.js';

/**
 * One mock upstream for a spec file: started before its tests, reset after each, closed at the end.
 * The returned object forwards to the running server, so a spec can hold it in a `const` and use it
 * inside its tests (not at module load, before the server exists).
 */
export function useMockUpstream(options: MockUpstreamOptions = {}): MockUpstream {
  let upstream: MockUpstream | null = null;
  beforeAll(async () => {
    upstream = await startMockUpstream(options);
  });
  afterEach(() => upstream?.reset());
  afterAll(async () => {
    await upstream?.close();
  });
  return new Proxy({} as MockUpstream, {
    get(_target, property) {
      if (!upstream) throw new Error('the mock upstream is used before it started (outside a test?)');
      const value = Reflect.get(upstream, property, upstream) as unknown;
      return typeof value === 'function' ? value.bind(upstream) : value;
    },
  });
}
