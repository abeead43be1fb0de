/**
 * The request asks for something this provider cannot do. Thrown by adapters before any upstream call;
 * it becomes a 400 `invalid_request_error` whose `param` is `param`.
 */
export class UnsupportedFeatureError extends Error {
  /** The public request parameter at fault, e.g. `input` or `tools`. */
  readonly param: string;
  /** The error code the client sees; `unsupported_parameter` when not set. */
  readonly code: string | undefined;

  constructor(options: { param: string; message: string; code?: string }) {
    super(options.message);
    this.name = 'UnsupportedFeatureError';
    this.param = options.param;
    this.code = options.code;
  }
}
