// Realistic sessions for bench:cache. Each workload is deterministic for a seed. Blocks carry their
// characters and the content they are (prose, code, JSON), from which their true token count
// follows at the ratio real tokenizers show for that content; the planner never sees the true
// count, only the server's estimate (characters over the calibrated characters per token).

export type Content = 'prose' | 'code' | 'json';

export interface Block {
  /** Identifies the block in the prefix hash. */
  text: string;
  chars: number;
  content: Content;
  /** True tokens: what the provider counts and bills. */
  tokens: number;
  /** Can carry a breakpoint (not a thinking block). */
  cacheable: boolean;
  /** A thinking block of the model, and the user turn it belongs to. */
  thinkingOfTurn?: number;
}

export interface Request {
  /** The conversation it belongs to: the server's cache thread, whose gaps the planner reads. */
  thread: string;
  blocks: Block[];
  /** Index of the last tools/system block. */
  prefixEnd: number;
  startMs: number;
  /** The user turn this request answers (thinking of earlier turns is dropped where the provider drops it). */
  turn: number;
  /** Its new input is a user message (not tool results): a turn starts. */
  turnStart: boolean;
  /** The model thinks in this workload. */
  thinking: boolean;
}

export interface Workload {
  name: string;
  seed: number;
  description: string;
  /** The model it is priced and planned as, per provider. */
  models: {
    anthropic: string;
    openai: string;
    gemini: string /** Also run on a Claude model that keeps completed turns' thinking. */;
    anthropicKeepingThinking?: string;
  };
  requests: Request[];
}

/** Characters per token by content, as tokenizers of current models count them (English prose ~4.3, code ~3.4, JSON ~3). */
const CHARS_PER_TOKEN: Record<Content, number> = { prose: 4.3, code: 3.4, json: 3.0 };

export function seeded(seed: number) {
  let state = seed >>> 0 || 1;
  const random = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const between = (low: number, high: number) => Math.round(low + random() * (high - low));
  /** Log-uniform: as many pauses of 1–3 minutes as of 30–90. */
  const logBetween = (low: number, high: number) => Math.round(Math.exp(Math.log(low) + random() * (Math.log(high) - Math.log(low))));
  const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
  return { random, between, logBetween, pick };
}

let serial = 0;
/** A block of about `tokens` true tokens of `content` (the characters follow, with ±10% jitter of the ratio). */
function makeBlock(rng: ReturnType<typeof seeded>, tokens: number, content: Content, cacheable = true, label = ''): Block {
  const ratio = CHARS_PER_TOKEN[content] * (0.9 + rng.random() * 0.2);
  const chars = Math.max(1, Math.round(tokens * ratio));
  return { text: `${label}#${serial++}`, chars, content, tokens: Math.max(1, Math.round(chars / ratio)), cacheable };
}

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * A coding agent (Claude Code, Codex): ~24k tokens of tools and instructions; each user task starts
 * a burst of model steps, each a thinking block, one to three tool calls and their results (file
 * reads and test runs: 200–8,000 tokens, now and then 20,000), seconds apart; then a final answer
 * and a pause of 1–90 minutes before the next task. The context is kept under the model's window
 * (200k) by compaction: past 150k tokens the history becomes a 6k-token summary, as the server's
 * own compaction does.
 */
export function codingAgent(seed: number): Workload {
  const rng = seeded(seed);
  const prefix = [
    ...Array.from({ length: 28 }, (_, index) => makeBlock(rng, rng.between(150, 900), 'json', true, `tool${index}`)),
    makeBlock(rng, 9_000, 'prose', true, 'instructions'),
    makeBlock(rng, 1_500, 'prose', true, 'environment'),
  ];
  const requests: Request[] = [];
  let history: Block[] = [];
  let now = 0;
  const tasks = rng.between(10, 16);
  for (let turn = 0; turn < tasks; turn++) {
    history.push(makeBlock(rng, rng.between(40, 600), 'prose', true, 'user'));
    const steps = rng.between(2, 24);
    for (let step = 0; step <= steps; step++) {
      const total = [...prefix, ...history].reduce((sum, block) => sum + block.tokens, 0);
      if (total > 150_000) history = [makeBlock(rng, 6_000, 'prose', true, 'summary'), history.at(-1)!];
      requests.push({
        thread: 'agent',
        blocks: [...prefix, ...history],
        prefixEnd: prefix.length - 1,
        startMs: now,
        turn,
        turnStart: step === 0,
        thinking: true,
      });
      history.push({ ...makeBlock(rng, rng.between(60, 900), 'prose', false, 'thinking'), thinkingOfTurn: turn });
      if (step === steps) {
        history.push(makeBlock(rng, rng.between(80, 700), 'prose', true, 'answer'));
        now += rng.logBetween(1 * MINUTE, 90 * MINUTE);
        break;
      }
      const calls = rng.random() < 0.15 ? rng.between(4, 8) : rng.between(1, 2);
      for (let call = 0; call < calls; call++) history.push(makeBlock(rng, rng.between(30, 220), 'json', true, 'call'));
      for (let call = 0; call < calls; call++)
        history.push(makeBlock(rng, rng.random() < 0.05 ? 20_000 : rng.logBetween(200, 8_000), rng.random() < 0.7 ? 'code' : 'prose', true, 'result'));
      // Generating the step and running its tools: seconds, a minute for a test suite now and then.
      now += rng.between(3, 25) * SECOND + (rng.random() < 0.1 ? rng.between(30, 150) * SECOND : rng.between(0, 8) * SECOND);
    }
  }
  return {
    name: 'coding agent',
    seed,
    description: `${tasks} tasks, bursts of 2–24 tool steps seconds apart, pauses of 1–90 min, compaction past 150k tokens`,
    models: {
      anthropic: 'anthropic/claude-sonnet-4-5',
      openai: 'openai/gpt-5',
      gemini: 'google/gemini-2.5-pro',
      anthropicKeepingThinking: 'anthropic/claude-opus-4-6',
    },
    requests,
  };
}

/**
 * Support chat: 40 conversations over three days on one assistant (3k tokens of instructions, 2k
 * of tools, shared by all); short turns; a customer answers within a minute or two most of the
 * time, sometimes after a coffee, an afternoon or the next day.
 */
export function supportChat(seed: number): Workload {
  const rng = seeded(seed);
  const prefix = [
    ...Array.from({ length: 6 }, (_, index) => makeBlock(rng, rng.between(200, 500), 'json', true, `tool${index}`)),
    makeBlock(rng, 3_000, 'prose', true, 'instructions'),
  ];
  const requests: Request[] = [];
  for (let conversation = 0; conversation < 40; conversation++) {
    let now = rng.between(0, 72) * HOUR + rng.between(0, 59) * MINUTE;
    const history: Block[] = [];
    const turns = rng.between(3, 14);
    for (let turn = 0; turn < turns; turn++) {
      history.push(makeBlock(rng, rng.between(15, 160), 'prose', true, 'user'));
      requests.push({
        thread: `chat${conversation}`,
        blocks: [...prefix, ...history],
        prefixEnd: prefix.length - 1,
        startMs: now,
        turn,
        turnStart: true,
        thinking: false,
      });
      if (rng.random() < 0.2) {
        // A lookup tool (order status, a help article) answered within seconds.
        history.push(makeBlock(rng, rng.between(30, 90), 'json', true, 'call'), makeBlock(rng, rng.between(150, 1_500), 'json', true, 'result'));
        requests.push({
          thread: `chat${conversation}`,
          blocks: [...prefix, ...history],
          prefixEnd: prefix.length - 1,
          startMs: now + rng.between(2, 6) * SECOND,
          turn,
          turnStart: false,
          thinking: false,
        });
      }
      history.push(makeBlock(rng, rng.between(60, 450), 'prose', true, 'answer'));
      const roll = rng.random();
      now +=
        roll < 0.55
          ? rng.between(20, 180) * SECOND
          : roll < 0.75
            ? rng.between(3, 30) * MINUTE
            : roll < 0.9
              ? rng.between(30, 240) * MINUTE
              : rng.between(4, 30) * HOUR;
    }
  }
  requests.sort((a, b) => a.startMs - b.startMs);
  return {
    name: 'support chat',
    seed,
    description: '40 conversations over 3 days sharing 5k tokens of instructions and tools; 3–14 short turns; gaps 20 s–30 h',
    models: { anthropic: 'anthropic/claude-haiku-4-5', openai: 'openai/gpt-5-mini', gemini: 'google/gemini-2.5-flash' },
    requests,
  };
}

/**
 * RAG: stable instructions (2.5k tokens); each question brings 4–8 retrieved passages of 1.5–3k
 * tokens into its user message (they stay in the history); a person reads each answer for 30 s to
 * 15 minutes. Six sessions of 6–14 questions, hours apart.
 */
export function rag(seed: number): Workload {
  const rng = seeded(seed);
  const prefix = [makeBlock(rng, 2_500, 'prose', true, 'instructions')];
  const requests: Request[] = [];
  let now = 0;
  for (let session = 0; session < 6; session++) {
    const history: Block[] = [];
    const questions = rng.between(6, 14);
    for (let turn = 0; turn < questions; turn++) {
      const passages = rng.between(4, 8);
      for (let index = 0; index < passages; index++) history.push(makeBlock(rng, rng.between(1_500, 3_000), 'prose', true, 'passage'));
      history.push(makeBlock(rng, rng.between(20, 120), 'prose', true, 'question'));
      requests.push({
        thread: `rag${session}`,
        blocks: [...prefix, ...history],
        prefixEnd: prefix.length - 1,
        startMs: now,
        turn,
        turnStart: true,
        thinking: false,
      });
      history.push(makeBlock(rng, rng.between(200, 800), 'prose', true, 'answer'));
      now += rng.logBetween(30 * SECOND, 15 * MINUTE);
    }
    now += rng.between(2, 8) * HOUR;
  }
  return {
    name: 'RAG',
    seed,
    description: '6 sessions of 6–14 questions, each with 4–8 new passages of 1.5–3k tokens; stable 2.5k instructions; gaps 30 s–15 min',
    models: { anthropic: 'anthropic/claude-sonnet-4-5', openai: 'openai/gpt-5', gemini: 'google/gemini-2.5-flash' },
    requests,
  };
}

/**
 * A batch of 300 similar requests (classification or extraction): 8k tokens of instructions and
 * worked examples shared by all, one document of 300–3,000 tokens each; sent at a steady rate
 * a few seconds apart. Each line is its own thread: nothing follows it.
 */
export function batch(seed: number): Workload {
  const rng = seeded(seed);
  const prefix = [makeBlock(rng, 2_000, 'prose', true, 'instructions'), makeBlock(rng, 6_000, 'json', true, 'examples')];
  const requests: Request[] = [];
  let now = 0;
  for (let line = 0; line < 300; line++) {
    requests.push({
      thread: `line${line}`,
      blocks: [...prefix, makeBlock(rng, rng.logBetween(300, 3_000), 'prose', true, 'document')],
      prefixEnd: 1,
      startMs: now,
      turn: 0,
      turnStart: true,
      thinking: false,
    });
    now += rng.between(1, 6) * SECOND;
  }
  return {
    name: 'batch',
    seed,
    description: '300 lines sharing 8k tokens of instructions and examples, a 300–3k document each, 1–6 s apart',
    models: { anthropic: 'anthropic/claude-sonnet-4-5', openai: 'openai/gpt-5', gemini: 'google/gemini-2.5-flash' },
    requests,
  };
}

export const workloads = [codingAgent, supportChat, rag, batch];

/**
 * The request as the provider sees it. Anthropic (models before Opus 4.5 / Sonnet 4.6, and all
 * Haiku) strips the thinking blocks of completed turns once a new user message arrives; OpenAI
 * drops reasoning items of earlier turns the same way; Gemini never takes thoughts back as input.
 */
export function asProviderSees(request: Request, rule: 'strip-completed-turns' | 'keep' | 'drop-all'): Request {
  if (rule === 'keep') return request;
  const keep = (block: Block) => block.thinkingOfTurn === undefined || (rule === 'strip-completed-turns' && block.thinkingOfTurn === request.turn);
  return { ...request, blocks: request.blocks.filter(keep) };
}
