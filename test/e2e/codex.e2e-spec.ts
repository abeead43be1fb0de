import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Harness, PROJECT_A_KEY, startHarness } from './harness.js';

// The real Codex CLI (npm @openai/codex, pinned in package.json) against this server, run the way
// a user runs it offline: `codex exec` with a custom model provider whose base URL is ours. The
// mock upstream plays the model: it calls `exec_command`, then the `apply_patch` custom tool, then
// answers. Codex runs the command, applies the patch and prints the answer, on every wire.
// Codex sends `tool_search` with every request, a tool only OpenAI runs: the deployment drops it
// (UNSUPPORTED_TOOLS=drop), as a Codex user of another provider would set it.

const CODEX = join(process.cwd(), 'node_modules', '@openai', 'codex', 'bin', 'codex.js');
const PATCH = '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch';
const ANSWER = 'All done: hello.txt says hello.';

let harness: Harness;
let root: string;
/** Codex's own entry for a model it knows, copied under our model names (see modelCatalog). */
let templateModel: Record<string, unknown>;

beforeAll(async () => {
  harness = await startHarness({ OPENAI_WIRE_API: 'responses', UNSUPPORTED_TOOLS: 'drop' });
  root = await mkdtemp(join(tmpdir(), 'codex-e2e-'));
  const home = join(root, 'catalog-home');
  await mkdir(home);
  const listed = await runCodex(['debug', 'models'], { CODEX_HOME: home });
  const models = (JSON.parse(listed.stdout) as { models: Array<Record<string, unknown>> }).models;
  templateModel = models.find((model) => model['slug'] === 'gpt-5.5') ?? models.find((model) => model['apply_patch_tool_type'] === 'freeform')!;
}, 60_000);
afterAll(async () => {
  await harness?.close();
  if (root) await rm(root, { recursive: true, force: true });
});
beforeEach(() => harness.upstream.reset());

describe('Codex CLI (codex exec) against the server', () => {
  // What each wire is sent of Codex's tools: apply_patch as itself on OpenAI, a function elsewhere; web_search as each provider's search.
  it.each([
    { wire: 'OpenAI Responses', model: 'openai/gpt-5.5', expected: ['custom:apply_patch', 'function:exec_command', 'web_search', 'tool_search'] },
    { wire: 'Anthropic', model: 'anthropic/claude-sonnet-4-5', expected: ['apply_patch', 'exec_command', 'web_search_20250305:web_search'] },
    { wire: 'Gemini', model: 'google/gemini-2.5-flash', expected: ['apply_patch', 'exec_command', 'googleSearch'] },
  ])(
    '$wire: runs a command, applies a patch through the custom apply_patch tool, and prints the answer',
    async ({ model, expected }) => {
      harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'exec_command', arguments: JSON.stringify({ cmd: 'echo from-shell > shell.txt' }) }] });
      harness.upstream.enqueue({ kind: 'tool_calls', calls: [{ name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }) }] });
      harness.upstream.enqueue({ kind: 'text', text: ANSWER });
      const { home, workspace } = await codexHome(model);

      const result = await runCodex(
        [
          'exec',
          '--strict-config',
          '--skip-git-repo-check',
          '--ephemeral',
          '--color',
          'never',
          '--dangerously-bypass-approvals-and-sandbox',
          '-C',
          workspace,
          'Create hello.txt containing hello',
        ],
        { CODEX_HOME: home, CODEX_E2E_API_KEY: PROJECT_A_KEY },
      );

      if (process.env['CODEX_DEBUG'])
        console.log(
          JSON.stringify(
            harness.upstream.requests.map((request) => request.body.contents ?? request.body.messages ?? request.body.input),
            null,
            1,
          ),
        );
      expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout.trim()).toBe(ANSWER);
      expect(await readFile(join(workspace, 'shell.txt'), 'utf8')).toBe('from-shell\n');
      expect(await readFile(join(workspace, 'hello.txt'), 'utf8')).toBe('hello\n');

      // Three model calls, none refused and retried: each sent the whole history back, the tool outputs Codex wrote included.
      const requests = harness.upstream.requests.filter((request) => request.method === 'POST');
      expect(requests).toHaveLength(3);
      expect(toolNames(requests[0]!.body)).toEqual(expect.arrayContaining(expected));
      const last = JSON.stringify(requests[2]!.body);
      expect(last).toContain('from-shell');
      expect(last).toContain('Success. Updated the following files');
    },
    60_000,
  );
});

/** The tools of an upstream request, named the way each wire writes them. */
function toolNames(body: Record<string, unknown>): string[] {
  const tools = (body['tools'] ?? []) as Array<Record<string, unknown>>;
  return tools.flatMap((tool) => {
    if (Array.isArray(tool['functionDeclarations'])) return (tool['functionDeclarations'] as Array<{ name: string }>).map((declaration) => declaration.name);
    if (tool['googleSearch']) return ['googleSearch'];
    if (typeof tool['type'] !== 'string') return [String(tool['name'])];
    return [tool['name'] ? `${tool['type']}:${String(tool['name'])}` : tool['type']];
  });
}

/** A CODEX_HOME whose config points Codex at the server, offline, with a catalog that knows `model`. */
async function codexHome(model: string): Promise<{ home: string; workspace: string }> {
  const home = await mkdtemp(join(root, 'home-'));
  const workspace = await mkdtemp(join(root, 'ws-'));
  // Codex shapes its tools by what its catalog says of the model (an unknown name gets no
  // apply_patch): our model names get the entry of a model Codex knows, the way a user would.
  const catalog = join(home, 'models.json');
  await writeFile(catalog, JSON.stringify({ models: [{ ...templateModel, slug: model, display_name: model }] }));
  const config = [
    `model = ${JSON.stringify(model)}`,
    'model_provider = "server"',
    `model_catalog_json = ${JSON.stringify(catalog)}`,
    'approval_policy = "never"',
    'check_for_update_on_startup = false',
    'allow_login_shell = false',
    // Nothing leaves the machine: no analytics, telemetry, plugin sync or shell snapshot.
    '[analytics]',
    'enabled = false',
    '[otel]',
    'exporter = "none"',
    'trace_exporter = "none"',
    'metrics_exporter = "none"',
    '[features]',
    'plugins = false',
    'shell_snapshot = false',
    'unbounded_connection_retries = false',
    '[model_providers.server]',
    'name = "stateful responses server"',
    `base_url = ${JSON.stringify(`${harness.origin}/v1`)}`,
    'env_key = "CODEX_E2E_API_KEY"',
    'wire_api = "responses"',
    'request_max_retries = 0',
    'stream_max_retries = 0',
  ];
  await writeFile(join(home, 'config.toml'), `${config.join('\n')}\n`);
  return { home, workspace };
}

/** Runs the Codex CLI to its end; stdin is closed, since `codex exec` reads a piped stdin as more prompt. */
function runCodex(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CODEX, ...args], {
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? root, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
