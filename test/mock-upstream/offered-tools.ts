import type { ChatScenario } from './chat-completions.js';

// An optional default for the mock (`callOfferedTools`): a request that offers function tools and
// ends with the user's own words gets a call of the first tool, with a value for each required
// string argument, instead of the echo. Clients that cannot queue scenarios (the Open Responses
// compliance suite, a hand-run demo) then see a model that uses the tools it is given.

type Json = Record<string, any>;

interface OfferedTool {
  name: string;
  parameters: Json | undefined;
}

/** The first function tool the request offers, on any of the four wires. */
function firstOfferedTool(body: Json): OfferedTool | undefined {
  const tools: unknown[] = Array.isArray(body['tools']) ? body['tools'] : [];
  for (const tool of tools as Json[]) {
    if (tool?.['type'] === 'function' && typeof tool['function']?.name === 'string') {
      return { name: tool['function'].name, parameters: tool['function'].parameters };
    }
    if (tool?.['type'] === 'function' && typeof tool['name'] === 'string') return { name: tool['name'], parameters: tool['parameters'] };
    if (typeof tool?.['name'] === 'string' && tool['input_schema']) return { name: tool['name'], parameters: tool['input_schema'] };
    const declaration = Array.isArray(tool?.['functionDeclarations']) ? tool['functionDeclarations'][0] : undefined;
    if (typeof declaration?.name === 'string') {
      return { name: declaration.name, parameters: declaration.parametersJsonSchema ?? declaration.parameters };
    }
  }
  return undefined;
}

/** Whether the newest input is the user's own text rather than a tool's result. */
function endsWithUserWords(body: Json): boolean {
  const turns: Json[] = body['messages'] ?? body['contents'] ?? (Array.isArray(body['input']) ? body['input'] : []);
  const last = turns.at(-1);
  if (!last) return typeof body['input'] === 'string';
  if (last['role'] === 'tool' || last['type'] === 'function_call_output') return false;
  const parts: Json[] = Array.isArray(last['content']) ? last['content'] : Array.isArray(last['parts']) ? last['parts'] : [];
  return !parts.some((part) => part?.['type'] === 'tool_result' || part?.['functionResponse']);
}

function exampleArguments(parameters: Json | undefined): string {
  const properties: Json = parameters?.['properties'] ?? {};
  const required: string[] = Array.isArray(parameters?.['required']) ? parameters['required'] : [];
  const values: Json = {};
  for (const name of required) {
    const type = String(properties[name]?.type ?? 'string').toLowerCase();
    values[name] = type === 'number' || type === 'integer' ? 1 : type === 'boolean' ? true : `example ${name}`;
  }
  return JSON.stringify(values);
}

export function offeredToolCall(body: unknown): ChatScenario | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const tool = firstOfferedTool(body as Json);
  if (!tool || !endsWithUserWords(body as Json)) return undefined;
  return { kind: 'tool_calls', calls: [{ name: tool.name, arguments: exampleArguments(tool.parameters) }] };
}
