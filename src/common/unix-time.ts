/** Unix seconds, the API's timestamp unit. */
export function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Unix seconds, or null for a time that has not happened (a response not completed, a key not revoked). */
export function unixSecondsOrNull(date: Date | null): number | null {
  return date ? unixSeconds(date) : null;
}
