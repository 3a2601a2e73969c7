import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { paths } from '../build/paths.ts';
import { helmRelease, helmReleases, render, renderNotes, type Rendered } from './helpers/helm.ts';
import { freePort, runsWith, scratchFolders, startNginx, startStub, type Running, type Stub } from './helpers/servers.ts';

/**
 * The gateway's nginx.conf, as the chart renders it, run by Debian's nginx on 127.0.0.1 in front of
 * stubs standing in for Tempo's HTTP API, its OTLP/HTTP receiver and its OTLP/gRPC receiver. Only
 * what a cluster decides is replaced: the Services' addresses become the stubs', the listen ports
 * free loopback ports, and the mounted files' folders a scratch folder.
 */
const scratch = scratchFolders();
afterAll(scratch.removeAll);

const users = { grafana: 'example-grafana-password', collector: 'example-collector-password' };
const oddPassword = `pässwörd "quoted" 'single' $HOME:%s\\`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Whether an {SSHA} hash is SHA-1(password + salt) followed by the salt, as nginx checks it. */
function sshaMatches(hash: string, password: string): boolean {
  const bytes = Buffer.from(hash.replace(/^\{SSHA\}/, ''), 'base64');
  const salt = bytes.subarray(20);
  return salt.length > 0 && createHash('sha1').update(password).update(salt).digest().equals(bytes.subarray(0, 20));
}

/** The rendered nginx.conf with the cluster's addresses and mount folders replaced; every replaced text must occur. */
function localConfig(config: string, replacements: Array<[string, string]>): string {
  let text = config;
  for (const [from, to] of replacements) {
    expect(text, `nginx.conf mentions ${from}`).toContain(from);
    text = text.replaceAll(from, to);
  }
  return text;
}

describe.skipIf(!runsWith('nginx'))('the gateway, run by nginx on loopback', () => {
  let rendered: Rendered;
  let folder: string;
  let query: Stub;
  let otlpHttp: Stub;
  let otlpGrpc: Stub;
  let nginx: Running;
  let httpUrl: string;
  let grpcPort: number;

  beforeAll(async () => {
    // The set's users, and one whose password has what a hash must carry byte for byte: UTF-8, quotes, a colon.
    const setUsers = YAML.parse(readFileSync(path.join(paths.valuesSets, 'gateway.yaml'), 'utf8')).gateway.basicAuth.users;
    rendered = await render(helmRelease('helm3'), {
      valuesFiles: [path.join(paths.valuesSets, 'gateway.yaml')],
      values: { gateway: { basicAuth: { users: [...setUsers, { username: 'operator', password: oddPassword }] } } },
    });
    folder = scratch.make('tempo-gateway-');
    // nginx started as root runs its workers as nobody, who must read the files.
    chmodSync(folder, 0o755);
    const htpasswd = Buffer.from(rendered.get('Secret', 'tempo-gateway').data['.htpasswd'], 'base64').toString('utf8');
    writeFileSync(path.join(folder, '.htpasswd'), htpasswd, { mode: 0o644 });
    [query, otlpHttp, otlpGrpc] = await Promise.all([startStub(), startStub(), startStub({ http2: true })]);
    const [httpPort, freeGrpcPort] = await Promise.all([freePort(), freePort()]);
    grpcPort = freeGrpcPort;
    const config = localConfig(rendered.get('ConfigMap', 'tempo-gateway').data['nginx.conf'], [
      ['http://tempo.observability.svc:3200', `http://127.0.0.1:${query.port}`],
      ['http://tempo.observability.svc:4318', `http://127.0.0.1:${otlpHttp.port}`],
      ['grpc://tempo.observability.svc:4317', `grpc://127.0.0.1:${otlpGrpc.port}`],
      ['listen 8080;', `listen 127.0.0.1:${httpPort};`],
      ['listen 8090 http2;', `listen 127.0.0.1:${grpcPort} http2;`],
      // The emptyDir first: the scratch folder itself lies under /tmp.
      [' /tmp/', ` ${folder}/`],
      ['/etc/nginx/secrets/.htpasswd', path.join(folder, '.htpasswd')],
    ]);
    const configFile = path.join(folder, 'nginx.conf');
    writeFileSync(configFile, config, { mode: 0o644 });
    const check = spawnSync('nginx', ['-t', '-q', '-e', 'stderr', '-p', folder, '-c', configFile], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'ignore', 'pipe'] });
    expect(check.status, `nginx -t:\n${check.stderr}`).toBe(0);
    httpUrl = `http://127.0.0.1:${httpPort}`;
    nginx = await startNginx(configFile, folder, `${httpUrl}/healthz`);
  }, 30_000);

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([query, otlpHttp, otlpGrpc].map((stub) => stub?.stop()));
  });

  const get = (pathname: string, headers: Record<string, string> = {}) => fetch(`${httpUrl}${pathname}`, { headers, signal: AbortSignal.timeout(5_000) });

  test('refuses a request without credentials, or with a wrong password, with 401', async () => {
    expect((await get('/api/search?q=%7B%7D')).status).toBe(401);
    expect((await get('/api/search', { authorization: basic('grafana', 'wrong-password') })).status).toBe(401);
    expect(query.received.filter((request) => request.path.startsWith('/api/search'))).toEqual([]);
  });

  test("passes a query with good credentials to Tempo's API on its path, with the user's tenant replacing the client's", async () => {
    const response = await get('/api/search?q=%7B%7D', { authorization: basic('grafana', users.grafana), 'x-scope-orgid': 'someone-else' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('stub');
    const seen = query.received.find((request) => request.path === '/api/search?q=%7B%7D');
    expect(seen?.headers['x-scope-orgid']).toBe('team-a');
  });

  test('signs in a user whose password holds UTF-8, quotes, a colon and a dollar sign, and no one with it misspelt', async () => {
    expect((await get('/api/search', { authorization: basic('operator', oddPassword) })).status).toBe(200);
    expect((await get('/api/search', { authorization: basic('operator', oddPassword.slice(0, -1)) })).status).toBe(401);
  });

  test('a user without a tenant of its own sends its name as the tenant', async () => {
    expect((await get('/api/traces/0123456789abcdef', { authorization: basic('collector', users.collector) })).status).toBe(200);
    expect(query.received.find((request) => request.path === '/api/traces/0123456789abcdef')?.headers['x-scope-orgid']).toBe('collector');
  });

  test("refuses paths it does not expose, Tempo's admin endpoints among them, without reaching Tempo", async () => {
    const before = query.received.length + otlpHttp.received.length;
    for (const pathname of ['/metrics', '/flush', '/shutdown', '/status', '/ready', '/api/overrides', '/apiary']) {
      expect((await get(pathname, { authorization: basic('grafana', users.grafana) })).status, pathname).toBe(404);
    }
    expect(query.received.length + otlpHttp.received.length).toBe(before);
  });

  test("forwards OTLP over HTTP to Tempo's receiver with the tenant", async () => {
    const response = await fetch(`${httpUrl}/v1/traces`, {
      method: 'POST',
      headers: { authorization: basic('collector', users.collector), 'content-type': 'application/json' },
      body: JSON.stringify({ resourceSpans: [] }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(response.status).toBe(200);
    const seen = otlpHttp.received.find((request) => request.path === '/v1/traces');
    expect(seen?.method).toBe('POST');
    expect(seen?.headers['x-scope-orgid']).toBe('collector');
  });

  test("forwards OTLP over gRPC (HTTP/2) to Tempo's receiver with the tenant, and refuses it without credentials", async () => {
    const call = (authorization?: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const client = http2.connect(`http://127.0.0.1:${grpcPort}`);
        client.on('error', reject);
        const stream = client.request({
          ':method': 'POST',
          ':path': '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
          'content-type': 'application/grpc',
          te: 'trailers',
          ...(authorization ? { authorization } : {}),
        });
        stream.setTimeout(5_000, () => reject(new Error('gRPC call timed out')));
        stream.on('response', (headers) => resolve(headers));
        stream.on('error', reject);
        stream.end(Buffer.alloc(5));
        stream.on('close', () => client.close());
        stream.resume();
      });
    expect((await call())[':status']).toBe(401);
    expect((await call(basic('grafana', users.grafana)))[':status']).toBe(200);
    const seen = otlpGrpc.received.find((request) => request.path === '/opentelemetry.proto.collector.trace.v1.TraceService/Export');
    expect(seen?.headers['x-scope-orgid']).toBe('team-a');
  });

  test('answers /healthz without credentials, for the probes', async () => {
    expect((await get('/healthz')).status).toBe(200);
  });
});

describe.each(helmReleases)('the gateway as rendered ($label)', (helm) => {
  const gatewayValues = { gateway: { enabled: true, basicAuth: { users: [{ username: 'grafana', password: users.grafana }] } } };

  test('hashes each password with a salt of its own that changes only with the release, the user or the password', async () => {
    const line = async (values: Record<string, unknown>, release = 'tempo') => {
      const rendered = await render(helm, { release, values: { gateway: { enabled: true, basicAuth: { users: [{ username: 'grafana', password: users.grafana }] } }, ...values } });
      const name = release === 'tempo' ? 'tempo-gateway' : `${release}-tempo-gateway`;
      return Buffer.from(rendered.get('Secret', name).data['.htpasswd'], 'base64').toString('utf8');
    };
    const salt = (htpasswd: string) => Buffer.from(htpasswd.trim().split('{SSHA}')[1]!, 'base64').subarray(20).toString('hex');
    const first = await line({});
    expect(await line({})).toBe(first);
    const others = [
      await line({}, 'other'),
      await line({ gateway: { enabled: true, basicAuth: { users: [{ username: 'grafana', password: 'another-password' }] } } }),
      await line({ gateway: { enabled: true, basicAuth: { users: [{ username: 'grafana2', password: users.grafana }] } } }),
    ];
    expect(new Set([first, ...others].map(salt)).size).toBe(4);
  });

  test('without multitenancy it removes any X-Scope-OrgID a client sends, on HTTP and gRPC alike', async () => {
    const config = (await render(helm, { values: gatewayValues })).get('ConfigMap', 'tempo-gateway').data['nginx.conf'];
    expect(config).toContain('proxy_set_header X-Scope-OrgID "";');
    expect(config).toContain('grpc_set_header X-Scope-OrgID "";');
    expect(config).not.toContain('map $remote_user');
  });

  test('stores only salted hashes, the same on every render, and runs nginx unprivileged with a read-only root and its temporary files on an emptyDir', async () => {
    const rendered = await render(helm, { values: gatewayValues });
    const htpasswd = Buffer.from(rendered.get('Secret', 'tempo-gateway').data['.htpasswd'], 'base64').toString('utf8');
    expect(htpasswd).toMatch(/^grafana:\{SSHA\}[A-Za-z0-9+/]{48}\n$/);
    expect(sshaMatches(htpasswd.trim().slice('grafana:'.length), users.grafana)).toBe(true);
    expect(JSON.stringify(rendered.documents)).not.toContain(users.grafana);
    const pod = rendered.get('Deployment', 'tempo-gateway').spec.template.spec;
    expect(pod.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    expect(pod.volumes).toContainEqual({ name: 'tmp', emptyDir: {} });
    expect(rendered.get('Service', 'tempo-gateway').spec.selector).toEqual({ 'app.kubernetes.io/name': 'tempo-gateway', 'app.kubernetes.io/instance': 'tempo' });
    expect(rendered.ofKind('PodDisruptionBudget')).toEqual([]);
  });

  test("takes the gateway's and the helm test's security contexts from values, as OpenShift's assigned UIDs need", async () => {
    const assigned = { runAsNonRoot: true, runAsUser: 1000650000, runAsGroup: 1000650000, fsGroup: 1000650000, seccompProfile: { type: 'RuntimeDefault' } };
    const container = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] }, seLinuxOptions: { level: 's0:c26,c5' } };
    const rendered = await render(helm, {
      values: { ...gatewayValues, gateway: { ...gatewayValues.gateway, podSecurityContext: assigned, securityContext: container }, tests: { podSecurityContext: assigned, securityContext: container } },
      tests: true,
    });
    for (const pod of [rendered.get('Deployment', 'tempo-gateway').spec.template.spec, rendered.get('Pod', 'tempo-test').spec]) {
      expect(pod.securityContext).toEqual(assigned);
      expect(pod.containers[0].securityContext).toEqual(container);
      expect(pod.automountServiceAccountToken).toBe(false);
    }
  });

  test("places its pods with its own settings, from the components' shared definition, and never with Tempo's", async () => {
    const toleration = { key: 'pool', operator: 'Exists', effect: 'NoSchedule' };
    const rendered = await render(helm, {
      values: { ...gatewayValues, nodeSelector: { pool: 'tempo' }, gateway: { ...gatewayValues.gateway, nodeSelector: { pool: 'edge' }, tolerations: [toleration] } },
    });
    const gateway = rendered.component('gateway').podSpec;
    expect(gateway.nodeSelector).toEqual({ pool: 'edge' });
    expect(gateway.tolerations).toEqual([toleration]);
    expect(rendered.component('tempo').podSpec.nodeSelector).toEqual({ pool: 'tempo' });
    expect(rendered.component('tempo').podSpec.tolerations).toBeUndefined();
    const plain = (await render(helm, { values: { ...gatewayValues, nodeSelector: { pool: 'tempo' } } })).component('gateway').podSpec;
    expect(plain.nodeSelector).toBeUndefined();
  });

  test('with autoscaling, a HorizontalPodAutoscaler sets its replicas on CPU, and the budget follows its fewest pods', async () => {
    const rendered = await render(helm, { valuesFiles: [path.join(paths.valuesSets, 'gateway-autoscaling.yaml')] });
    const gateway = rendered.component('gateway');
    expect(gateway.workload.spec).not.toHaveProperty('replicas');
    expect(rendered.get('HorizontalPodAutoscaler', 'tempo-gateway').spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'tempo-gateway' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    });
    expect(gateway.disruptionBudget?.spec.maxUnavailable).toBe(1);
    // Tempo keeps a fixed count: its pods hold state in their rings.
    expect(rendered.ofKind('HorizontalPodAutoscaler')).toHaveLength(1);
    expect(rendered.component('tempo').workload.spec.replicas).toBe(1);
  });

  test('from two replicas on, a PodDisruptionBudget keeps one gateway pod running', async () => {
    const rendered = await render(helm, { valuesFiles: [path.join(paths.valuesSets, 'gateway.yaml')] });
    expect(rendered.get('Deployment', 'tempo-gateway').spec.replicas).toBe(2);
    expect(rendered.get('PodDisruptionBudget', 'tempo-gateway').spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': 'tempo-gateway', 'app.kubernetes.io/instance': 'tempo' } },
    });
  });

  test('sends OTLP to the ingest Service when there is one, and leaves gRPC out when Tempo does not receive it', async () => {
    const rendered = await render(helm, { values: { ...gatewayValues, service: { ingest: { enabled: true } }, tempo: { receivers: { otlp: { grpc: { enabled: false } } } } } });
    const config = rendered.get('ConfigMap', 'tempo-gateway').data['nginx.conf'];
    expect(config).toContain('proxy_pass http://tempo-ingest.observability.svc:4318;');
    expect(config).not.toContain('grpc_pass');
    expect(rendered.get('Service', 'tempo-gateway').spec.ports.map((port: { name: string }) => port.name)).toEqual(['http']);
  });
});

test("NOTES give the gateway's addresses, and warn that Tempo's own Services stay open until the NetworkPolicy closes them (Helm 4, which prints NOTES without a cluster)", async () => {
  const values = { gateway: { enabled: true, basicAuth: { users: [{ username: 'grafana', password: users.grafana }] } }, tempo: { multitenancyEnabled: true } };
  const notes = await renderNotes(values);
  expect(notes).toContain("Query traces through the gateway, with credentials (basic auth, each user's tenant set for it):");
  expect(notes).toContain('Query API and OTLP/HTTP: http://tempo-gateway.observability.svc:8080');
  expect(notes).toContain('OTLP/gRPC:               tempo-gateway.observability.svc:8090');
  expect(notes).toContain('port-forward service/tempo-gateway 8080:http');
  // Tempo's own query address is not advertised next to the gateway's.
  expect(notes).not.toContain('http://tempo.observability.svc:3200');
  expect(notes).not.toContain('Tempo has no authentication of its own');
  expect(notes).toContain("WARNING: the gateway does not close Tempo's own Services.");
  expect(notes).toContain('helm test tempo --namespace observability');

  const closed = await renderNotes({ ...values, networkPolicy: { enabled: true } });
  expect(closed).not.toContain('WARNING: the gateway');
  expect(closed).toContain("Tempo's own ports admit only what networkPolicy lets in: the query API only the gateway");
});
