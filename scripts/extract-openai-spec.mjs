// Extracts, from OpenAI's official OpenAPI spec, the operations this server implements and every
// component they reference (transitively), and writes them to spec/openai-spec.subset.json.
// The server builds its public OpenAPI document from that file (src/openapi/openai-spec.ts,
// src/openapi/public-document.ts), so it never reads the YAML, which is not part of this
// repository, at run time.
//
//   node scripts/extract-openai-spec.mjs [path/to/openai-openapi.yml] [path/to/openresponses-openapi.json]
//
// The default paths are in ../shared/reference/ (next to this repository). The Open Responses
// document (already small, two operations) is copied whole to spec/openresponses-spec.json: the
// e2e suite validates what the server sends against both (test/e2e/schema-conformance.ts). Parsing the
// YAML needs js-yaml, which the dev dependencies already bring (jest → istanbul).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = process.argv[2] ?? `${root}../shared/reference/openai-openapi.yml`;
const target = `${root}spec/openai-spec.subset.json`;
const openResponsesSource = process.argv[3] ?? `${root}../shared/reference/openresponses-openapi.json`;
const openResponsesTarget = `${root}spec/openresponses-spec.json`;

/** The official paths this server serves (under /v1), with the methods it implements. */
const OPERATIONS = {
  '/responses': ['post'],
  '/responses/{response_id}': ['get', 'delete'],
  '/responses/{response_id}/cancel': ['post'],
  '/responses/{response_id}/input_items': ['get'],
  '/responses/input_tokens': ['post'],
  '/responses/compact': ['post'],
  '/conversations': ['post'],
  '/conversations/{conversation_id}': ['get', 'post', 'delete'],
  '/conversations/{conversation_id}/items': ['get', 'post'],
  '/conversations/{conversation_id}/items/{item_id}': ['get', 'delete'],
  '/models': ['get'],
  '/models/{model}': ['get'],
  '/files': ['get', 'post'],
  '/files/{file_id}': ['get', 'delete'],
  '/files/{file_id}/content': ['get'],
  '/batches': ['get', 'post'],
  '/batches/{batch_id}': ['get'],
  '/batches/{batch_id}/cancel': ['post'],
};

/** Keys dropped everywhere: `x-oaiMeta` holds OpenAI's reference-site examples, not API shape. */
const DROPPED_KEYS = new Set(['x-oaiMeta']);

let yaml;
try {
  yaml = createRequire(import.meta.url)('js-yaml');
} catch {
  console.error('js-yaml is not installed (it comes with the dev dependencies: run npm install).');
  process.exit(1);
}
const spec = yaml.load(readFileSync(source, 'utf8'));

const strip = (value) => {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !DROPPED_KEYS.has(key))
      .map(([key, inner]) => [key, strip(inner)]),
  );
};

const paths = {};
for (const [path, methods] of Object.entries(OPERATIONS)) {
  const item = spec.paths[path];
  if (!item) throw new Error(`the spec has no path ${path}`);
  paths[path] = {};
  if (item.parameters) paths[path].parameters = strip(item.parameters);
  for (const method of methods) {
    if (!item[method]) throw new Error(`the spec has no ${method.toUpperCase()} ${path}`);
    paths[path][method] = strip(item[method]);
  }
}

// Every `#/components/<kind>/<name>` reachable from the operations.
const components = {};
const pending = [paths];
const seen = new Set();
while (pending.length > 0) {
  const value = pending.pop();
  if (Array.isArray(value)) {
    pending.push(...value);
    continue;
  }
  if (value === null || typeof value !== 'object') continue;
  for (const [key, inner] of Object.entries(value)) {
    if (key !== '$ref' || typeof inner !== 'string') {
      pending.push(inner);
      continue;
    }
    if (seen.has(inner)) continue;
    seen.add(inner);
    const match = /^#\/components\/([^/]+)\/([^/]+)$/.exec(inner);
    if (!match) throw new Error(`unsupported $ref ${inner}`);
    const [, kind, name] = match;
    const component = spec.components?.[kind]?.[name];
    if (component === undefined) throw new Error(`unresolved $ref ${inner}`);
    components[kind] ??= {};
    components[kind][name] = strip(component);
    pending.push(components[kind][name]);
  }
}
const sorted = (record) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
for (const kind of Object.keys(components)) components[kind] = sorted(components[kind]);

const subset = { version: String(spec.info.version), paths, components: sorted(components) };
const counts = Object.entries(subset.components)
  .map(([kind, record]) => `${Object.keys(record).length} ${kind}`)
  .join(', ');
writeFileSync(target, `${JSON.stringify(subset, null, 1)}\n`);
console.log(`${target}: ${Object.keys(paths).length} paths, ${counts}`);

const openResponses = JSON.parse(readFileSync(openResponsesSource, 'utf8'));
const openResponsesSubset = { version: String(openResponses.info.version), paths: openResponses.paths, components: openResponses.components };
writeFileSync(openResponsesTarget, `${JSON.stringify(openResponsesSubset, null, 1)}\n`);
console.log(`${openResponsesTarget}: ${Object.keys(openResponses.components.schemas).length} schemas`);
