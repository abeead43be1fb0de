import { ApiError } from '../common/api-error.js';
import type { CreateResponseBody } from '../items/responses.schemas.js';
import { checkRequestLimits } from './request-limits.js';

const limits = { maxInputItems: 3, maxTools: 2, maxInputFiles: 2 };
const message = (text: string) => ({ type: 'message', role: 'user', content: text });
const image = { type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'auto' };
const refusal = (body: Record<string, unknown>) => {
  try {
    checkRequestLimits(body as unknown as CreateResponseBody, limits);
    return null;
  } catch (error) {
    return error as ApiError;
  }
};

describe(checkRequestLimits.name, () => {
  it('lets a request at every limit through', () => {
    const input = [message('a'), { type: 'message', role: 'user', content: [image, image] }, message('c')];
    expect(refusal({ model: 'm', input, tools: [{}, {}] })).toBeNull();
    expect(refusal({ model: 'm', input: 'a string is one item' })).toBeNull();
  });

  it('refuses one item, tool or file more, in OpenAI’s words for an array over its maximum', () => {
    expect(refusal({ model: 'm', input: [message('a'), message('b'), message('c'), message('d')] })).toMatchObject({
      status: 400,
      param: 'input',
      code: 'array_above_max_length',
      message: "Invalid 'input': array too long. Expected an array with maximum length 3, but got an array with length 4 instead.",
    });
    expect(refusal({ model: 'm', tools: [{}, {}, {}] })).toMatchObject({ param: 'tools', code: 'array_above_max_length' });
    // Files count in messages and in tool outputs alike.
    const input = [
      { type: 'message', role: 'user', content: [image, image] },
      { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_file', file_data: 'data:application/pdf;base64,AA', filename: 'a.pdf' }] },
    ];
    expect(refusal({ model: 'm', input })).toMatchObject({ param: 'input', code: 'array_above_max_length' });
  });
});
