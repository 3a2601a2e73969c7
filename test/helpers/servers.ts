import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { paths } from '../../build/paths.ts';

/**
 * Real servers and tools for the tests, on loopback only, each bounded in time and stopped
 * by the test that starts it.
 */

/** Temporary folders for one test file, removed together when it ends: `afterAll(scratch.removeAll)`. */
export function scratchFolders() {
  const made: string[] = [];
  return {
    make(prefix: string): string {
      const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    removeAll(): void {
      for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** True when `command` is on the PATH. */
export function hasCommand(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => existsSync(path.join(dir, command)));
}

/**
 * Whether a suite that needs `command` runs here: always on CI, whose .ci/run installs it (a missing
 * tool then fails the suite instead of skipping it); elsewhere only where it is installed.
 */
export function runsWith(command: string): boolean {
  return Boolean(process.env.CI) || hasCommand(command);
}

/** Ports freePort has handed out in this process: never twice, as many servers start at once. */
const handedOut = new Set<number>();

/** A free TCP port on 127.0.0.1, one this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await anyFreePort();
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    return port;
  }
}

function anyFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface Running {
  url: string;
  stop(): Promise<void>;
}

/** Serves the files of `folder` over HTTP on 127.0.0.1, as a static chart repository host would. */
export async function serveFolder(folder: string): Promise<Running> {
  const server = http.createServer((request, response) => {
    const file = path.join(folder, path.normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)));
    if (!file.startsWith(folder) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file.endsWith('.yaml') ? 'application/x-yaml' : 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Debian's docker-registry (CNCF Distribution) on 127.0.0.1 with test/fixtures/oci-registry.yml and a
 * temporary storage folder; ready when /v2/ answers, within `timeoutMs`.
 */
export async function startOciRegistry(timeoutMs = 15_000): Promise<Running> {
  const port = await freePort();
  const storage = mkdtempSync(path.join(os.tmpdir(), 'tempo-registry-'));
  const registry: ChildProcess = spawn('docker-registry', ['serve', path.join(paths.root, 'test', 'fixtures', 'oci-registry.yml')], {
    env: { ...process.env, REGISTRY_HTTP_ADDR: `127.0.0.1:${port}`, REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: storage },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  registry.stderr?.on('data', (chunk) => (log += chunk));
  const stop = async () => {
    await stopProcess(registry);
    rmSync(storage, { recursive: true, force: true });
  };
  return whenReady('docker-registry', registry, `http://127.0.0.1:${port}/v2/`, `http://127.0.0.1:${port}`, timeoutMs, stop, () => log);
}

export interface TestKey {
  /** The user ID's name, as helm package --sign --key takes it. */
  name: string;
  /** Legacy-format keyrings, as helm reads them. */
  secretKeyring: string;
  publicKeyring: string;
  remove(): void;
}

/** A throwaway RSA signing key without a passphrase, in a GnuPG home of its own. */
export function makeTestKey(): TestKey {
  const home = mkdtempSync(path.join(os.tmpdir(), 'tempo-gnupg-'));
  const env = { ...process.env, GNUPGHOME: home };
  const name = 'Tempo Chart Test';
  const parameters = path.join(home, 'key.txt');
  writeFileSync(
    parameters,
    ['%no-protection', 'Key-Type: RSA', 'Key-Length: 2048', 'Key-Usage: sign', `Name-Real: ${name}`, 'Name-Email: test@example.invalid', 'Expire-Date: 1d', '%commit', ''].join('\n'),
  );
  execFileSync('gpg', ['--batch', '--quiet', '--gen-key', parameters], { env, stdio: 'pipe', timeout: 60_000 });
  const secretKeyring = path.join(home, 'secring.gpg');
  const publicKeyring = path.join(home, 'pubring.gpg');
  writeFileSync(secretKeyring, execFileSync('gpg', ['--batch', '--export-secret-keys', name], { env }));
  writeFileSync(publicKeyring, execFileSync('gpg', ['--batch', '--export', name], { env }));
  return {
    name,
    secretKeyring,
    publicKeyring,
    remove: () => {
      // gpg started an agent for this home; it would outlive the test.
      execFileSync('gpgconf', ['--kill', 'gpg-agent'], { env, stdio: 'ignore' });
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** A request a stub upstream received. */
export interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface Stub extends Running {
  port: number;
  received: Received[];
}

/**
 * A stand-in for Tempo on 127.0.0.1 that records every request and answers 200 "stub". With `http2`
 * it speaks HTTP/2 without TLS, as gRPC upstreams do, and answers with grpc-status 0.
 */
export async function startStub(options: { http2?: boolean } = {}): Promise<Stub> {
  const received: Received[] = [];
  const record = (method: string | undefined, url: string | undefined, headers: Received['headers']) => received.push({ method: method ?? '', path: url ?? '', headers });
  let server: net.Server;
  if (options.http2) {
    const h2 = http2.createServer();
    h2.on('stream', (stream: http2.ServerHttp2Stream, headers) => {
      record(headers[':method'] as string, headers[':path'] as string, headers as Received['headers']);
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end();
    });
    server = h2;
  } else {
    server = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        record(request.method, request.url, request.headers);
        response.writeHead(200, { 'content-type': 'text/plain' }).end('stub');
      });
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * Debian's nginx with a configuration file of its own (prefix `folder`), in the foreground; ready when
 * `readyUrl` answers, within `timeoutMs`. Its logs go to nginx.log in `folder`, which a failure reports.
 */
export async function startNginx(configFile: string, folder: string, readyUrl: string, timeoutMs = 10_000): Promise<Running> {
  // Files, not pipes: node's pipes are sockets, which nginx cannot open as /dev/stdout.
  const logFile = path.join(folder, 'nginx.log');
  const logFd = openSync(logFile, 'a');
  const nginx: ChildProcess = spawn('nginx', ['-e', 'stderr', '-p', folder, '-c', configFile], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  return whenReady('nginx', nginx, readyUrl, readyUrl, timeoutMs, () => stopProcess(nginx), log);
}

/**
 * s3rver (from npm) on 127.0.0.1, an S3 emulator Tempo's S3 client talks to as to a bucket: path-style
 * addressing over plain HTTP, signed with the key pair S3RVER / S3RVER. `bucket` exists from the start;
 * objects() lists what is in it.
 */
export async function startS3rver(folder: string, bucket: string): Promise<Running & { endpoint: string; accessKey: string; secretKey: string; objects(): string[]; blockMetas(): Array<{ blockID: string; startTime: string; endTime: string; totalObjects: number; compactionLevel: number }> }> {
  const port = await freePort();
  const logFile = path.join(folder, 's3rver.log');
  const logFd = openSync(logFile, 'a');
  const binary = path.join(paths.root, 'node_modules', '.bin', 's3rver');
  const dataDir = path.join(folder, 'data');
  const child: ChildProcess = spawn(binary, ['--directory', dataDir, '--address', '127.0.0.1', '--port', String(port), '--configure-bucket', bucket, '--silent'], { stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const url = `http://127.0.0.1:${port}`;
  const running = await whenReady('s3rver', child, `${url}/${bucket}`, url, 15_000, () => stopProcess(child), log);
  const objects = () => (existsSync(path.join(dataDir, bucket)) ? readdirSync(path.join(dataDir, bucket), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('._S3rver_object')).map((name) => name.replace(/\._S3rver_object$/, '')) : []);
  const front = await awsChunkedFront(port, path.join(dataDir, bucket), bucket);
  /** Every block's meta.json in the bucket, parsed. */
  const blockMetas = () => objects().filter((name) => name.endsWith('/meta.json')).flatMap((name) => {
    try {
      return [JSON.parse(readFileSync(path.join(dataDir, bucket, `${name}._S3rver_object`), 'utf8'))];
    } catch {
      return [];
    }
  });
  return { url: `http://${front.endpoint}`, stop: async () => { await front.stop(); await running.stop(); }, endpoint: front.endpoint, accessKey: 'S3RVER', secretKey: 'S3RVER', objects, blockMetas };
}

/**
 * A front for s3rver that decodes aws-chunked uploads. Tempo 3.0's S3 client (minio-go) signs uploads
 * over plain HTTP as a stream of signed chunks (Content-Encoding: aws-chunked), which s3rver stores as
 * they came, chunk headers and all: every block Tempo 3.0 wrote was unreadable (found on the objects
 * themselves). The front forwards every request as it is, with such a body decoded into its bytes.
 */
async function awsChunkedFront(target: number, bucketDir: string, bucket: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://front');
    if (request.method === 'GET' && url.pathname.replace(/\/$/, '') === `/${bucket}` && url.searchParams.get('delimiter') === '/' && !url.searchParams.get('prefix')) {
      response.writeHead(200, { 'content-type': 'application/xml' }).end(rootListing(bucketDir, bucket));
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      const headers = { ...request.headers };
      if (String(headers['x-amz-content-sha256'] ?? '').startsWith('STREAMING-') || String(headers['content-encoding'] ?? '').includes('aws-chunked')) {
        body = decodeAwsChunked(body);
        headers['content-length'] = String(body.length);
        delete headers['transfer-encoding'];
      }
      const forwarded = http.request({ host: '127.0.0.1', port: target, method: request.method, path: request.url, headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      forwarded.on('error', () => response.writeHead(502).end());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { endpoint: `127.0.0.1:${port}`, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * The bucket's top level as ListObjectsV2 answers it with delimiter "/": its folders as common prefixes
 * (Tempo's tenants) and its objects. s3rver answers such a listing without prefixes (found: its listing
 * with prefix "" and delimiter "/" holds nothing), so Tempo found no tenant and never read a block.
 */
function rootListing(bucketDir: string, bucket: string): string {
  const entries = existsSync(bucketDir) ? readdirSync(bucketDir, { withFileTypes: true }) : [];
  const folders = entries.filter((entry) => entry.isDirectory()).map((entry) => `<CommonPrefixes><Prefix>${entry.name}/</Prefix></CommonPrefixes>`);
  const objects = entries.filter((entry) => entry.isFile() && entry.name.endsWith('._S3rver_object')).map((entry) => {
    const file = path.join(bucketDir, entry.name);
    const key = entry.name.replace(/\._S3rver_object$/, '');
    const etag = existsSync(`${file}.md5`) ? readFileSync(`${file}.md5`, 'utf8').trim() : '';
    return `<Contents><Key>${key}</Key><LastModified>${statSync(file).mtime.toISOString()}</LastModified><ETag>&quot;${etag}&quot;</ETag><Size>${statSync(file).size}</Size><StorageClass>STANDARD</StorageClass></Contents>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix></Prefix><KeyCount>${folders.length + objects.length}</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated>${objects.join('')}${folders.join('')}</ListBucketResult>`;
}

/** The bytes of an aws-chunked body: chunks of "<hex size>[;chunk-signature=...]\r\n<bytes>\r\n", ending with a chunk of size 0 (and trailers, dropped). */
function decodeAwsChunked(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const lineEnd = body.indexOf('\r\n', offset);
    if (lineEnd < 0) break;
    const size = Number.parseInt(body.subarray(offset, lineEnd).toString('latin1').split(';')[0]!, 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}

/**
 * Azurite's Blob service (from npm) on 127.0.0.1, an Azure Blob Storage emulator Tempo's Azure client
 * talks to path-style over plain HTTP when the endpoint suffix is host:port. It knows one storage
 * account, with the name and key given (as a real account's, base64), and has `container` created.
 * blobs() lists what is in the container.
 */
export async function startAzurite(folder: string, account: string, key: string, container: string): Promise<Running & { endpoint: string; blobs(): Promise<string[]> }> {
  const port = await freePort();
  const logFile = path.join(folder, 'azurite.log');
  const logFd = openSync(logFile, 'a');
  const binary = path.join(paths.root, 'node_modules', '.bin', 'azurite-blob');
  const args = ['--blobHost', '127.0.0.1', '--blobPort', String(port), '--location', path.join(folder, 'data'), '--skipApiVersionCheck', '--disableTelemetry', '--silent'];
  const child: ChildProcess = spawn(binary, args, { env: { ...process.env, AZURITE_ACCOUNTS: `${account}:${key}` }, stdio: ['ignore', logFd, logFd] });
  closeSync(logFd);
  const log = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const endpoint = `127.0.0.1:${port}`;
  // Any answer will do: Azurite answers an unsigned request with an error once it listens. A minute:
  // on a busy machine (every values set on Tempo at once, in CI) it was seen to take over 20 s.
  const deadline = Date.now() + 60_000;
  while (!(await fetch(`http://${endpoint}/`, { signal: AbortSignal.timeout(5_000) }).then(() => true, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopProcess(child);
      throw new Error(`azurite did not listen on ${endpoint}:\n${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const running: Running = { url: `http://${endpoint}`, stop: () => stopProcess(child) };
  /** A request signed with the account's shared key, as Azure's REST API wants it (canonical headers and resource). */
  const signed = (method: string, query: Record<string, string>) => {
    const date = new Date().toUTCString();
    const version = '2020-10-02';
    const resource = `/${account}/${account}/${container}${Object.keys(query).sort().map((name) => `\n${name}:${query[name]}`).join('')}`;
    const toSign = [method, '', '', '', '', '', '', '', '', '', '', '', `x-ms-date:${date}\nx-ms-version:${version}\n${resource}`].join('\n');
    const signature = createHmac('sha256', Buffer.from(key, 'base64')).update(toSign, 'utf8').digest('base64');
    return fetch(`http://${endpoint}/${account}/${container}?${new URLSearchParams(query)}`, { method, headers: { 'x-ms-date': date, 'x-ms-version': version, authorization: `SharedKey ${account}:${signature}` } });
  };
  const created = await signed('PUT', { restype: 'container' });
  if (created.status !== 201) throw new Error(`Azurite did not create container ${container}: ${created.status} ${await created.text()}`);
  const blobs = async () => [...(await (await signed('GET', { comp: 'list', restype: 'container' })).text()).matchAll(/<Name>([^<]+)<\/Name>/g)].map((match) => match[1]!);
  return { ...running, endpoint, blobs };
}

/** Stops a server process: SIGTERM, then SIGKILL when it has not exited within five seconds. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  child.kill('SIGKILL');
}

/** The server once `readyUrl` answers while it runs; otherwise it is stopped and the error carries its log. */
async function whenReady(name: string, child: ChildProcess, readyUrl: string, url: string, timeoutMs: number, stop: () => Promise<void>, log: () => string): Promise<Running> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const ready = await fetch(readyUrl).then((response) => response.ok, () => false);
    if (ready) return { url, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${name} did not answer on ${readyUrl} within ${timeoutMs} ms:\n${log()}`);
}

const sharedKafkaUnpack = path.join(paths.root, '..', 'shared', 'kafka', 'bin', 'unpack.sh');

/** The path of the Kafka-protocol test broker (franz-go's kfake; ../shared/kafka), or undefined where none is provided (KAFKA_BROKER names one). */
export function kafkaBrokerBinary(): string | undefined {
  if (process.env.KAFKA_BROKER) return existsSync(process.env.KAFKA_BROKER) ? process.env.KAFKA_BROKER : undefined;
  if (!existsSync(sharedKafkaUnpack)) return undefined;
  try {
    return execFileSync(sharedKafkaUnpack, [], { encoding: 'utf8', timeout: 120_000 }).trim();
  } catch {
    return undefined;
  }
}

/**
 * A Kafka-protocol broker on 127.0.0.1 with `topic` created with `partitions` partitions, on a port
 * above 61000 (ports in the kernel's range for outgoing connections were once taken under a test's
 * feet). Its state lives in `folder`, so a restarted broker keeps its log. address is host:port.
 */
export async function startKafkaBroker(folder: string, topic: string, partitions: number): Promise<Running & { address: string }> {
  const binary = kafkaBrokerBinary();
  if (!binary) throw new Error('no Kafka test broker: ../shared/kafka/bin/unpack.sh is missing (or set KAFKA_BROKER)');
  for (let attempt = 0; ; attempt += 1) {
    const port = 61001 + Math.floor(Math.random() * 4000);
    const logFile = path.join(folder, `kafka-${port}.log`);
    const logFd = openSync(logFile, 'a');
    const child: ChildProcess = spawn(binary, ['-ports', String(port), '-topic', topic, '-partitions', String(partitions), '-data-dir', path.join(folder, 'data'), '-log-level', 'warn'], { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && child.exitCode === null && !readFileSync(logFile, 'utf8').includes(`listening 127.0.0.1:${port}`)) await new Promise((resolve) => setTimeout(resolve, 100));
    if (child.exitCode === null && readFileSync(logFile, 'utf8').includes(`listening 127.0.0.1:${port}`)) {
      return { url: `kafka://127.0.0.1:${port}`, address: `127.0.0.1:${port}`, stop: () => stopProcess(child) };
    }
    await stopProcess(child);
    if (attempt >= 3) throw new Error(`the Kafka test broker did not listen:\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
  }
}
