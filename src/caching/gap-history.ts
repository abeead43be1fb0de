/** Gaps kept per project: enough to tell a rhythm, few enough to follow it when it changes. */
const GAPS_KEPT = 100;
/** Projects remembered at once (names come from API keys, but a deployment may have many). */
const PROJECTS_KEPT = 10_000;

/**
 * The newest gaps between consecutive requests of a project's threads, whichever thread they came
 * from. A thread's first requests have too few gaps of their own to plan by; its project's other
 * conversations (the same app, the same users) tell more than a fixed rule. Kept per process: it
 * fills within a few requests, and a wrong prior costs one TTL choice, not a failure.
 * (No Nest decorator: it takes nothing to construct, and planning code stays free of the framework.)
 */
export class GapHistory {
  private readonly projects = new Map<string, number[]>();

  /** The project's newest gaps, oldest first (a copy: the planner may keep it). */
  recent(projectId: string): number[] {
    return this.projects.get(projectId)?.slice() ?? [];
  }

  observe(projectId: string, gapMs: number): void {
    if (!Number.isFinite(gapMs) || gapMs < 0) return;
    let gaps = this.projects.get(projectId);
    if (!gaps) {
      if (this.projects.size >= PROJECTS_KEPT) this.projects.clear();
      gaps = [];
      this.projects.set(projectId, gaps);
    }
    gaps.push(gapMs);
    if (gaps.length > GAPS_KEPT) gaps.splice(0, gaps.length - GAPS_KEPT);
  }
}
