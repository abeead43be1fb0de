import { lookup as lookupHost } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { Agent, request } from 'undici';
import { declaredType, mediaTypeFromName, sniffMediaType } from '../planning/plan-input-file.js';

/** How the server fetches an `input_file`'s `file_url` (FILE_FETCH_* variables). */
export interface FileFetchSettings {
  /** The largest file fetched, in bytes. */
  maxBytes: number;
  /** The whole fetch, redirects included, in milliseconds. */
  timeoutMs: number;
  /** Fetch from private, loopback and link-local addresses too (tests, a file server on the same network). */
  allowPrivate: boolean;
}

/** A file the server fetched; `mediaType` null when neither the answer nor the name nor the bytes say it. */
export interface FetchedFile {
  mediaType: string | null;
  data: Buffer;
  /** From the answer's `Content-Disposition`, else the URL's last path segment. */
  filename: string | null;
}

/** A fetch that failed, in words for the client. `mediaType` is set when only the type was refused. */
export class FileFetchError extends Error {
  override readonly name = 'FileFetchError';

  constructor(
    message: string,
    readonly mediaType: string | null = null,
  ) {
    super(message);
  }
}

export interface FetchFileOptions {
  /** Whether the caller can use a file of this type; checked before the body is read when the answer names it. */
  accepts(mediaType: string): boolean;
  signal: AbortSignal;
}

export type FetchInputFile = (url: string, options: FetchFileOptions) => Promise<FetchedFile>;

/** Redirects followed, each one checked like the first URL. */
const MAX_REDIRECTS = 5;
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches `file_url`s for providers that cannot (or for types the server must read itself): GET
 * with undici, within a time limit and a byte cap, refusing private, loopback and link-local
 * addresses (checked on every address the name resolves to, at connect time, so a name that
 * resolves differently later gets no further) unless `allowPrivate`. Failures are FileFetchErrors.
 */
export class InputFileFetcher {
  private readonly agent: Agent;

  constructor(private readonly settings: FileFetchSettings) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(settings.allowPrivate) },
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
  }

  readonly fetch: FetchInputFile = async (url, options) => {
    const deadline = AbortSignal.timeout(this.settings.timeoutMs);
    const signal = AbortSignal.any([options.signal, deadline]);
    try {
      return await this.fetchFollowing(checkFetchUrl(url, this.settings.allowPrivate), options, signal);
    } catch (error) {
      if (options.signal.aborted) throw options.signal.reason;
      if (deadline.aborted) throw new FileFetchError(`no answer within ${this.settings.timeoutMs} ms`);
      throw error instanceof FileFetchError ? error : new FileFetchError(describeNetworkError(error));
    }
  };

  close(): Promise<void> {
    return this.agent.close();
  }

  private async fetchFollowing(url: URL, options: FetchFileOptions, signal: AbortSignal): Promise<FetchedFile> {
    let target = url;
    for (let redirects = 0; ; redirects++) {
      const response = await request(target, { dispatcher: this.agent, method: 'GET', signal, headers: { accept: '*/*' } });
      const location = header(response.headers, 'location');
      if (REDIRECT_STATUSES.has(response.statusCode) && location !== null) {
        await response.body.dump();
        if (redirects >= MAX_REDIRECTS) throw new FileFetchError(`more than ${MAX_REDIRECTS} redirects`);
        target = checkFetchUrl(new URL(location, target).toString(), this.settings.allowPrivate);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        throw new FileFetchError(`the server answered ${response.statusCode}`);
      }
      const answer = checkAnswer(
        { contentType: header(response.headers, 'content-type'), contentLength: header(response.headers, 'content-length'), url: target },
        { maxBytes: this.settings.maxBytes, accepts: options.accepts },
      );
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.settings.maxBytes) {
          response.body.destroy();
          throw tooLarge(this.settings.maxBytes);
        }
        chunks.push(chunk);
      }
      const data = Buffer.concat(chunks);
      const mediaType = answer.mediaType ?? sniffMediaType(data);
      if (mediaType !== null && answer.mediaType === null && !options.accepts(mediaType)) throw refusedType(mediaType);
      return { mediaType, data, filename: fileNameOf(header(response.headers, 'content-disposition'), target) };
    }
  }
}

/**
 * The URL to fetch, parsed: http or https, no credentials, and (unless `allowPrivate`) not an
 * address literal of a private, loopback or link-local network. Names are checked when they resolve.
 */
export function checkFetchUrl(url: string, allowPrivate: boolean): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new FileFetchError('it is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new FileFetchError('only http and https URLs are fetched');
  if (parsed.username !== '' || parsed.password !== '') throw new FileFetchError('URLs with credentials are not fetched');
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) throw privateAddress(host);
  return parsed;
}

/**
 * What the answer's headers say before its body is read: a `Content-Length` over the cap is
 * refused, and so is a type the caller cannot use. The type is the `Content-Type`'s (the URL's
 * extension when it says nothing better, as `application/octet-stream` does), null when neither says.
 */
export function checkAnswer(
  answer: { contentType: string | null; contentLength: string | null; url: URL },
  limits: { maxBytes: number; accepts(mediaType: string): boolean },
): { mediaType: string | null } {
  const length = answer.contentLength === null ? Number.NaN : Number(answer.contentLength);
  if (Number.isFinite(length) && length > limits.maxBytes) throw tooLarge(limits.maxBytes);
  const mediaType = (answer.contentType === null ? null : declaredType(answer.contentType)) ?? mediaTypeFromName(answer.url.pathname);
  if (mediaType !== null && !limits.accepts(mediaType)) throw refusedType(mediaType);
  return { mediaType };
}

/** The name a fetched file goes by: `Content-Disposition`'s `filename`, else the URL's last path segment; null for neither. */
export function fileNameOf(contentDisposition: string | null, url: URL): string | null {
  const quoted = contentDisposition === null ? null : /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentDisposition);
  const fromHeader = quoted?.[1] ?? quoted?.[2];
  if (fromHeader) return fromHeader;
  const segment = url.pathname.split('/').at(-1) ?? '';
  try {
    return decodeURIComponent(segment) || null;
  } catch {
    return segment || null;
  }
}

// Networks a server must not be steered into fetching from: "this" network, private (RFC 1918),
// shared (CGNAT), loopback, link-local (cloud metadata), IETF protocol assignments, documentation and
// benchmarking ranges, multicast and reserved; for IPv6 the unspecified and loopback addresses,
// unique local, link-local, site-local and multicast. IPv4 inside IPv6 (mapped, NAT64) is checked as IPv4.
const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv6');
}

/** True for an address of a network the server does not fetch from (see PRIVATE_NETWORKS); false for a public one or a non-address. */
export function isPrivateAddress(address: string): boolean {
  const version = isIP(address);
  if (version === 4) return PRIVATE_NETWORKS.check(address, 'ipv4');
  if (version !== 6) return false;
  const embedded = embeddedIPv4(address);
  if (embedded !== null) return PRIVATE_NETWORKS.check(embedded, 'ipv4');
  return PRIVATE_NETWORKS.check(address, 'ipv6');
}

/** The IPv4 address inside an IPv4-mapped (`::ffff:0:0/96`) or NAT64 (`64:ff9b::/96`) IPv6 address; null for any other. */
function embeddedIPv4(address: string): string | null {
  const groups = expandIPv6(address);
  if (groups === null) return null;
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  const nat64 = groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0);
  if (!mapped && !nat64) return null;
  const [high = 0, low = 0] = groups.slice(6);
  return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
}

/** The eight 16-bit groups of an IPv6 address (a trailing dotted IPv4 included); null for a zone or malformed text. */
function expandIPv6(address: string): number[] | null {
  let text = address.toLowerCase();
  if (text.includes('%')) return null;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => Number.parseInt(group, 16)));
  const first = parse(head);
  const last = tail === undefined ? [] : parse(tail);
  const groups = tail === undefined ? first : [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
  return groups.length === 8 && groups.every((group) => Number.isInteger(group) && group >= 0 && group <= 0xffff) ? groups : null;
}

/** dns.lookup that fails for a name resolving to a private address, so the connection never opens. */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    lookupHost(hostname, options, (error, address, family) => {
      if (error || allowPrivate) {
        callback(error, address as string, family);
        return;
      }
      const addresses = Array.isArray(address) ? address.map((entry) => entry.address) : [address];
      const blocked = addresses.find(isPrivateAddress);
      if (blocked !== undefined) {
        callback(privateAddress(blocked, hostname), address as string, family);
        return;
      }
      callback(null, address as string, family);
    });
  };
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function describeNetworkError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof FileFetchError) return cause.message;
  if (code === 'ENOTFOUND') return 'the host name does not resolve';
  if (code === 'ECONNREFUSED') return 'the connection was refused';
  return `the request failed (${typeof code === 'string' ? code : error instanceof Error ? error.message : String(error)})`;
}

function tooLarge(maxBytes: number): FileFetchError {
  return new FileFetchError(`the file is larger than the server's limit of ${maxBytes} bytes`);
}

function refusedType(mediaType: string): FileFetchError {
  return new FileFetchError(`the file is of type ${mediaType}`, mediaType);
}

function privateAddress(address: string, hostname?: string): FileFetchError {
  const name = hostname === undefined || hostname === address ? address : `${hostname} (${address})`;
  return new FileFetchError(`${name} is a private, loopback or link-local address, which this server does not fetch from`);
}
