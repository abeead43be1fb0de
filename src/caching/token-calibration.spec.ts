import { DEFAULT_CHARS_PER_TOKEN } from './cache-types.js';
import { TokenCalibration } from './token-calibration.js';

describe(TokenCalibration.name, () => {
  it('starts at the default and moves toward what the provider reports, per model', () => {
    const calibration = new TokenCalibration();
    expect(calibration.charsPerToken('anthropic/claude-sonnet-4-5')).toBe(DEFAULT_CHARS_PER_TOKEN);
    calibration.observe('anthropic/claude-sonnet-4-5', 30_000, 10_000);
    expect(calibration.charsPerToken('anthropic/claude-sonnet-4-5')).toBe(3);
    for (let i = 0; i < 20; i++) calibration.observe('anthropic/claude-sonnet-4-5', 25_000, 10_000);
    expect(calibration.charsPerToken('anthropic/claude-sonnet-4-5')).toBeCloseTo(2.5, 1);
    expect(calibration.charsPerToken('google/gemini-2.5-flash')).toBe(DEFAULT_CHARS_PER_TOKEN);
  });

  it('ignores small prompts and absurd ratios', () => {
    const calibration = new TokenCalibration();
    calibration.observe('m', 400, 100);
    expect(calibration.charsPerToken('m')).toBe(DEFAULT_CHARS_PER_TOKEN);
    calibration.observe('m', 1_000_000, 2_000);
    expect(calibration.charsPerToken('m')).toBe(8);
  });
});
