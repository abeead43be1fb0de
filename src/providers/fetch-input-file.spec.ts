import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAnswer, checkFetchUrl, FileFetchError, fileNameOf, InputFileFetcher, isPrivateAddress } from './fetch-input-file.js';

describe(isPrivateAddress.name, () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd00::1234',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '64:ff9b::a9fe:a9fe',
  ])('%s is private', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2001:4860:4860::8888', '::ffff:8.8.8.8', 'example.com'])('%s is not', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });
});

describe(checkFetchUrl.name, () => {
  it('takes http and https URLs', () => {
    expect(checkFetchUrl('https://example.com/a.pdf?x=1', false).href).toBe('https://example.com/a.pdf?x=1');
    expect(checkFetchUrl('http://93.184.216.34/a.txt', false).hostname).toBe('93.184.216.34');
  });

  it.each([
    ['not a URL', 'invalid URL'],
    ['ftp://example.com/a.pdf', 'only http and https'],
    ['https://user:secret@example.com/a.pdf', 'credentials'],
    ['http://127.0.0.1:9000/a.pdf', 'private, loopback or link-local'],
    ['http://[::1]/a.pdf', 'private, loopback or link-local'],
    ['http://169.254.169.254/latest/meta-data', 'private, loopback or link-local'],
  ])('refuses %s', (url, reason) => {
    expect(() => checkFetchUrl(url, false)).toThrow(FileFetchError);
    expect(() => checkFetchUrl(url, false)).toThrow(new RegExp(reason === 'invalid URL' ? 'not a valid URL' : reason));
  });

  it('takes private addresses when told to', () => {
    expect(checkFetchUrl('http://127.0.0.1:9000/a.pdf', true).port).toBe('9000');
  });
});

describe(checkAnswer.name, () => {
  const url = new URL('https://example.com/files/report.pdf');
  const limits = { maxBytes: 100, accepts: (mediaType: string) => mediaType !== 'application/zip' };

  it('takes the type from Content-Type, else from the URL when it says nothing better', () => {
    expect(checkAnswer({ contentType: 'text/plain; charset=utf-8', contentLength: '10', url }, limits)).toEqual({ mediaType: 'text/plain' });
    expect(checkAnswer({ contentType: 'application/octet-stream', contentLength: null, url }, limits)).toEqual({ mediaType: 'application/pdf' });
    expect(checkAnswer({ contentType: null, contentLength: null, url: new URL('https://example.com/download') }, limits)).toEqual({ mediaType: null });
  });

  it('refuses a declared length over the cap and a type the caller cannot use, before the body is read', () => {
    expect(() => checkAnswer({ contentType: 'application/pdf', contentLength: '101', url }, limits)).toThrow("larger than the server's limit of 100 bytes");
    let refused: unknown;
    try {
      checkAnswer({ contentType: 'application/zip', contentLength: '1', url }, limits);
    } catch (error) {
      refused = error;
    }
    expect(refused).toMatchObject({ mediaType: 'application/zip', message: 'the file is of type application/zip' });
  });
});

describe(fileNameOf.name, () => {
  it('prefers Content-Disposition, then the last path segment', () => {
    const url = new URL('https://example.com/files/Q3%20report.pdf?download=1');
    expect(fileNameOf('attachment; filename="summary.pdf"', url)).toBe('summary.pdf');
    expect(fileNameOf('attachment; filename=plain.txt', url)).toBe('plain.txt');
    expect(fileNameOf(null, url)).toBe('Q3 report.pdf');
    expect(fileNameOf(null, new URL('https://example.com/'))).toBeNull();
  });
});

describe(InputFileFetcher.name, () => {
  let server: Server;
  let origin: string;
  let handle: (request: IncomingMessage, response: ServerResponse) => void;
  const fetchers: InputFileFetcher[] = [];
  const fetcher = (settings: Partial<ConstructorParameters<typeof InputFileFetcher>[0]> = {}) => {
    const created = new InputFileFetcher({ maxBytes: 1024, timeoutMs: 2000, allowPrivate: true, ...settings });
    fetchers.push(created);
    return created;
  };
  const options = { accepts: (mediaType: string) => mediaType !== 'application/zip', signal: new AbortController().signal };

  beforeAll(async () => {
    server = createServer((request, response) => handle(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(fetchers.map((created) => created.close()));
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fetches a file with its type and name, following redirects', async () => {
    handle = (request, response) => {
      if (request.url === '/moved') {
        response.writeHead(302, { location: '/files/notes.txt' }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('hello ✓');
    };
    const file = await fetcher().fetch(`${origin}/moved`, options);
    expect(file).toEqual({ mediaType: 'text/plain', data: Buffer.from('hello ✓'), filename: 'notes.txt' });
  });

  it('tells an unnamed type by the first bytes', async () => {
    handle = (_request, response) => response.writeHead(200, { 'content-type': 'application/octet-stream' }).end('%PDF-1.4 tiny');
    expect(await fetcher().fetch(`${origin}/download`, options)).toMatchObject({ mediaType: 'application/pdf', filename: 'download' });
  });

  it('stops at the byte cap, declared or streamed', async () => {
    handle = (request, response) => {
      if (request.url === '/declared') {
        response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2048' }).end('x'.repeat(2048));
        return;
      }
      // Chunked: no length to judge by until the bytes arrive.
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('x'.repeat(1000));
      setTimeout(() => response.end('x'.repeat(1000)), 10);
    };
    await expect(fetcher().fetch(`${origin}/declared`, options)).rejects.toThrow("the file is larger than the server's limit of 1024 bytes");
    await expect(fetcher().fetch(`${origin}/chunked`, options)).rejects.toThrow("the file is larger than the server's limit of 1024 bytes");
  });

  it('refuses a type the caller cannot use, and an error status', async () => {
    handle = (request, response) => {
      if (request.url === '/a.zip') response.writeHead(200, { 'content-type': 'application/zip' }).end('PK');
      else response.writeHead(404).end('no');
    };
    await expect(fetcher().fetch(`${origin}/a.zip`, options)).rejects.toMatchObject({ mediaType: 'application/zip' });
    await expect(fetcher().fetch(`${origin}/missing`, options)).rejects.toThrow('the server answered 404');
  });

  it('gives up after the time limit', async () => {
    handle = () => {
      // Never answers.
    };
    await expect(fetcher({ timeoutMs: 100 }).fetch(`${origin}/slow`, options)).rejects.toThrow('no answer within 100 ms');
  });

  it('refuses loopback addresses, literal or resolved, unless allowed', async () => {
    handle = (_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('secret');
    const port = new URL(origin).port;
    await expect(fetcher({ allowPrivate: false }).fetch(`${origin}/a.txt`, options)).rejects.toThrow('127.0.0.1 is a private, loopback or link-local address');
    await expect(fetcher({ allowPrivate: false }).fetch(`http://localhost:${port}/a.txt`, options)).rejects.toThrow(
      /localhost \((127\.0\.0\.1|::1)\) is a private, loopback or link-local address/,
    );
  });

  it('passes the caller’s abort on as it is', async () => {
    handle = () => {
      // Never answers.
    };
    const controller = new AbortController();
    const fetching = fetcher().fetch(`${origin}/slow`, { ...options, signal: controller.signal });
    controller.abort(new Error('client left'));
    await expect(fetching).rejects.toThrow('client left');
  });
});
