import { spawn } from 'node:child_process';
import http from 'node:http';
import type net from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { paths } from '../build/paths.ts';
import { helmRelease, helmReleases, render, type Manifest } from './helpers/helm.ts';
import { scratchFolders } from './helpers/servers.ts';

/**
 * The helm test hook's script, as the chart renders it, run by sh and curl against a stand-in for
 * Tempo on 127.0.0.1 that makes a trace readable only after a few attempts, as Tempo's ingester does.
 */
const scratch = scratchFolders();
afterAll(scratch.removeAll);

interface FakeTempo {
  url: string;
  requests: Array<{ method: string; path: string; authorization?: string; tenant?: string }>;
  stop(): Promise<void>;
}

/**
 * Answers OTLP/HTTP, /api/traces/<id> (404 for the first `misses` reads, or for ever) and /api/search;
 * with `keepsFirstWriteOnly` it acknowledges later writes and drops them, as a broken write path would.
 */
async function startFakeTempo(misses: number | 'never', { keepsFirstWriteOnly = false } = {}): Promise<FakeTempo> {
  const requests: FakeTempo['requests'] = [];
  let stored = '';
  let reads = 0;
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://x');
      requests.push({ method: request.method ?? '', path: url.pathname + url.search, authorization: request.headers.authorization, tenant: request.headers['x-scope-orgid'] as string | undefined });
      if (request.method === 'POST' && url.pathname === '/v1/traces') {
        if (!stored || !keepsFirstWriteOnly) stored = body;
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else if (url.pathname.startsWith('/api/traces/')) {
        reads += 1;
        const id = url.pathname.slice('/api/traces/'.length);
        const ready = misses !== 'never' && reads > misses && stored.includes(id);
        response.writeHead(ready ? 200 : 404).end(ready ? stored : 'trace not found');
      } else if (url.pathname === '/api/search') {
        const id = /"traceId":"([0-9a-f]+)"/.exec(stored)?.[1];
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ traces: id ? [{ traceID: id, rootServiceName: 'helm-test' }] : [] }));
      } else {
        response.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests, stop: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Runs the script with the pod's environment, pointed at `url`; bounded in time. */
function runScript(script: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const folder = scratch.make('tempo-helm-test-');
  const file = path.join(folder, 'test.sh');
  writeFileSync(file, script);
  return new Promise((resolve) => {
    // The script writes its answers to /tmp, as in the pod (an emptyDir there).
    const child = spawn('sh', [file], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The trace ID the script's OK or FAIL line names. */
const tracedId = (output: string) => /trace ([0-9a-f]{32})/.exec(output)?.[1] ?? 'none';

const envOf = (pod: Manifest, url: string): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const variable of pod.spec.containers[0].env) env[variable.name] = variable.value ?? '';
  return { ...env, TEMPO_URL: url, OTLP_URL: url };
};

describe('the helm test script, run by sh and curl against a stand-in for Tempo', () => {
  test('sends a span with the known trace ID, retries until the trace is readable, finds it by search, and says OK', async () => {
    const rendered = await render(helmRelease('helm3'), { values: { tempo: { multitenancyEnabled: true } }, tests: true });
    const script = rendered.get('ConfigMap', 'tempo-test').data['test.sh'];
    const pod = rendered.get('Pod', 'tempo-test');
    const tempo = await startFakeTempo(2);
    try {
      const env = envOf(pod, tempo.url);
      const result = await runScript(script, env);
      expect(result.code, result.output).toBe(0);
      const traceId = tracedId(result.output);
      expect(traceId.startsWith(env.TRACE_ID_PREFIX!), result.output).toBe(true);
      expect(result.output).toContain(`OK: trace ${traceId} was written, read back and found`);
      expect(tempo.requests[0]).toMatchObject({ method: 'POST', path: '/v1/traces', tenant: 'helm-test' });
      expect(tempo.requests.filter((request) => request.path === `/api/traces/${traceId}`).length).toBe(3);
      expect(tempo.requests.some((request) => request.path.startsWith('/api/search?tags=service.name%3Dhelm-test'))).toBe(true);
    } finally {
      await tempo.stop();
    }
  });

  test('fails, saying why, when the trace never becomes readable within its time', async () => {
    const rendered = await render(helmRelease('helm3'), { values: { tests: { timeoutSeconds: 10 } }, tests: true });
    const tempo = await startFakeTempo('never');
    try {
      const env: Record<string, string> = { ...envOf(rendered.get('Pod', 'tempo-test'), tempo.url), TIMEOUT_SECONDS: '3' };
      const result = await runScript(rendered.get('ConfigMap', 'tempo-test').data['test.sh'], env);
      expect(result.code).not.toBe(0);
      expect(result.output).toMatch(new RegExp(`FAIL: trace ${env.TRACE_ID_PREFIX}[0-9a-f]{8} was not readable within 3 seconds`));
    } finally {
      await tempo.stop();
    }
  });

  test("run again on the same revision, sends a trace of its own: it fails where Tempo acknowledges the write but keeps only the earlier run's trace", async () => {
    const rendered = await render(helmRelease('helm3'), { values: { tests: { timeoutSeconds: 10 } }, tests: true });
    const script = rendered.get('ConfigMap', 'tempo-test').data['test.sh'];
    const tempo = await startFakeTempo(0, { keepsFirstWriteOnly: true });
    try {
      const env: Record<string, string> = { ...envOf(rendered.get('Pod', 'tempo-test'), tempo.url), TIMEOUT_SECONDS: '3' };
      const first = await runScript(script, env);
      expect(first.code, first.output).toBe(0);
      // The trace ID ends with the time in seconds: a run in the next second is another trace.
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      const second = await runScript(script, env);
      expect(tracedId(second.output)).not.toBe(tracedId(first.output));
      expect(second.code).not.toBe(0);
      expect(second.output).toContain(`FAIL: trace ${tracedId(second.output)} was not readable within 3 seconds`);
    } finally {
      await tempo.stop();
    }
  });

  test('through the gateway, signs in with the credentials from its Secret', async () => {
    const values = { gateway: { enabled: true, basicAuth: { users: [{ username: 'grafana', password: 'example-grafana-password' }] } } };
    const rendered = await render(helmRelease('helm3'), { values, tests: true });
    const secret = rendered.get('Secret', 'tempo-test');
    const decode = (key: string) => Buffer.from(secret.data[key], 'base64').toString('utf8');
    const tempo = await startFakeTempo(0);
    try {
      const env = { ...envOf(rendered.get('Pod', 'tempo-test'), tempo.url), TEMPO_USERNAME: decode('username'), TEMPO_PASSWORD: decode('password') };
      const result = await runScript(rendered.get('ConfigMap', 'tempo-test').data['test.sh'], env);
      expect(result.code, result.output).toBe(0);
      const expected = `Basic ${Buffer.from('grafana:example-grafana-password').toString('base64')}`;
      expect(tempo.requests.every((request) => request.authorization === expected)).toBe(true);
    } finally {
      await tempo.stop();
    }
  });
});

describe.each(helmReleases)('the helm test hook as rendered ($label)', (helm) => {
  test('is a test hook that reaches Tempo directly, or the gateway with its credentials, and goes away when it passes', async () => {
    const direct = await render(helm, { tests: true });
    const pod = direct.get('Pod', 'tempo-test');
    expect(pod.metadata.annotations).toMatchObject({ 'helm.sh/hook': 'test', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' });
    const env = Object.fromEntries(pod.spec.containers[0].env.map((variable: Manifest) => [variable.name, variable.value ?? variable.valueFrom]));
    expect(env).toMatchObject({ TEMPO_URL: 'http://tempo.observability.svc:3200', OTLP_URL: 'http://tempo.observability.svc:4318' });
    // The script appends 8 hex digits of time: a 32-digit trace ID whose first digit is not 0 (search prints IDs without leading zeros).
    expect(env.TRACE_ID_PREFIX).toMatch(/^[1-9a-f][0-9a-f]{23}$/);

    const gateway = await render(helm, { values: { gateway: { enabled: true, basicAuth: { existingSecret: 'tempo-users' } }, tests: { credentialsSecret: 'tempo-test-user' } }, external: ['Secret/tempo-users', 'Secret/tempo-test-user'], tests: true });
    const through = Object.fromEntries(gateway.get('Pod', 'tempo-test').spec.containers[0].env.map((variable: Manifest) => [variable.name, variable.value ?? variable.valueFrom]));
    expect(through.TEMPO_URL).toBe('http://tempo-gateway.observability.svc:8080');
    expect(through.TEMPO_PASSWORD).toEqual({ secretKeyRef: { name: 'tempo-test-user', key: 'password' } });
    expect(gateway.ofKind('Secret').map((secret) => secret.metadata.name)).not.toContain('tempo-test');
  });

});
