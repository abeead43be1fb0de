import { mapAnthropicStopReason } from './map-anthropic-stop-reason.js';

describe(mapAnthropicStopReason.name, () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool-calls'],
    ['refusal', 'content-filter'],
    ['pause_turn', 'other'],
    ['something_new', 'other'],
    [null, 'other'],
  ] as const)('maps %s to %s', (stopReason, expected) => {
    expect(mapAnthropicStopReason(stopReason)).toBe(expected);
  });
});
