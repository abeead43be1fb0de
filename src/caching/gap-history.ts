/** Gaps kept per project: enough to tell a rhythm, few enough to follow it when it changes. */
const GAPS_KEPT = 100;
/** Projects remembered at once (names come from API keys, but a deployment may have many). */
const PROJECTS_KEPT = 10_000;
/** New threads counted before the share that continued is trusted: a few one-off tries of a chat app say little. */
const MIN_STARTS = 50;
/** Past this many new threads, both counts are halved: the share follows a changing app. */
const STARTS_KEPT = 200;

interface ProjectRhythm {
  gaps: number[];
  /** Threads that could continue (stored, or in a conversation) seen starting, and those seen coming back. */
  starts: number;
  continued: number;
}

/**
 * The newest gaps between consecutive requests of a project's threads, whichever thread they came
 * from, and how many of its new threads ever come back. A thread's first requests have too few
 * gaps of their own to plan by; its project's other conversations (the same app, the same users)
 * tell more than a fixed rule, and an app whose threads never continue (one-off extractions, a
 * batch) has nothing to cache past its shared prefix. Kept per process: it fills within a few
 * requests, and a wrong prior costs one TTL choice, not a failure.
 * (No Nest decorator: it takes nothing to construct, and planning code stays free of the framework.)
 */
export class GapHistory {
  private readonly projects = new Map<string, ProjectRhythm>();

  /** The project's newest gaps, oldest first (a copy: the planner may keep it). */
  recent(projectId: string): number[] {
    return this.projects.get(projectId)?.gaps.slice() ?? [];
  }

  observe(projectId: string, gapMs: number): void {
    if (!Number.isFinite(gapMs) || gapMs < 0) return;
    const { gaps } = this.rhythm(projectId);
    gaps.push(gapMs);
    if (gaps.length > GAPS_KEPT) gaps.splice(0, gaps.length - GAPS_KEPT);
  }

  /** A thread that can continue made its first request. */
  observeStart(projectId: string): void {
    const rhythm = this.rhythm(projectId);
    rhythm.starts++;
    if (rhythm.starts > STARTS_KEPT) {
      rhythm.starts /= 2;
      rhythm.continued /= 2;
    }
  }

  /** A thread made its second request. */
  observeContinued(projectId: string): void {
    const rhythm = this.rhythm(projectId);
    rhythm.continued = Math.min(rhythm.starts, rhythm.continued + 1);
  }

  /** The share of the project's new threads that came back; null until enough have started. */
  continuation(projectId: string): number | null {
    const rhythm = this.projects.get(projectId);
    return rhythm && rhythm.starts >= MIN_STARTS ? rhythm.continued / rhythm.starts : null;
  }

  private rhythm(projectId: string): ProjectRhythm {
    let rhythm = this.projects.get(projectId);
    if (!rhythm) {
      if (this.projects.size >= PROJECTS_KEPT) this.projects.clear();
      rhythm = { gaps: [], starts: 0, continued: 0 };
      this.projects.set(projectId, rhythm);
    }
    return rhythm;
  }
}
