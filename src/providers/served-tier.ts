/**
 * The tier a vendor says served a call, in OpenAI's names (the Response's `service_tier`): OpenAI's
 * own as they are; Anthropic's `usage.service_tier` (`standard`, `priority`, `batch`) and Gemini's
 * `x-gemini-service-tier` header (`standard`, `flex`, `priority`) mapped, standard as `default`.
 * Null when the vendor did not say or said something unknown.
 */
export function servedTier(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  switch (value.toLowerCase()) {
    case 'standard':
    case 'standard_only':
    case 'batch':
    case 'default':
      return 'default';
    case 'flex':
      return 'flex';
    case 'priority':
      return 'priority';
    case 'scale':
      return 'scale';
    case 'auto':
      return 'auto';
    default:
      return null;
  }
}

/** The finish part's `serviceTier`, present only when the vendor named one. */
export function withTier(tier: string | null): { serviceTier?: string } {
  return tier === null ? {} : { serviceTier: tier };
}
