import type { TextFormat } from './model-request.js';

/**
 * `text.format` in words, for a model with no structured output of its kind: the model usually
 * complies, and the turn runner checks the answer (ModelRequest.checkOutput).
 * @see https://platform.claude.com/docs/en/test-and-evaluate/strengthen-guardrails/increase-consistency#specify-the-desired-output-format
 */
export function formatInstruction(format: TextFormat): string | null {
  switch (format.type) {
    case 'text':
      return null;
    case 'json_object':
      return 'Respond with only a JSON object, with no text before or after it.';
    case 'json_schema':
      return `Respond with only a JSON object that matches this JSON Schema: ${JSON.stringify(format.schema)}`;
    default: {
      const unexpected: never = format;
      throw new Error(`unexpected text format ${(unexpected as { type: string }).type}`);
    }
  }
}
