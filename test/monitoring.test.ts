import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import YAML from 'yaml';
import { paths } from '../build/paths.ts';
import { helmRelease, helmReleases, render, type Manifest } from './helpers/helm.ts';
import { runsWith, scratchFolders } from './helpers/servers.ts';

const scratch = scratchFolders();
afterAll(scratch.removeAll);
const valuesSet = (name: string) => path.join(paths.valuesSets, `${name}.yaml`);

/** Runs promtool; fails the test with its output unless it succeeds. */
function promtool(args: string[]): string {
  const result = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  expect(result.status, `promtool ${args.join(' ')}:\n${result.stdout}\n${result.stderr}`).toBe(0);
  return result.stdout;
}

interface AlertCase {
  alert: string;
  series: Array<{ series: string; values: string }>;
  at: string;
  labels: Record<string, string>;
}

/** Series of Tempo (job tempo in observability) that should make each alert fire, and when. */
const tempo = (metric: string, extra = '') => `${metric}{namespace="observability", job="tempo"${extra}}`;
const firing: AlertCase[] = [
  { alert: 'TempoIngestionFailing', series: [{ series: tempo('tempo_distributor_ingester_append_failures_total'), values: '0+10x30' }], at: '15m', labels: { severity: 'critical' } },
  { alert: 'TempoFlushesFailing', series: [{ series: tempo('tempo_ingester_failed_flushes_total'), values: '0+1x60' }], at: '30m', labels: { severity: 'critical' } },
  { alert: 'TempoSpansRefused', series: [{ series: tempo('tempo_discarded_spans_total', ', reason="rate_limited"'), values: '0+100x60' }], at: '30m', labels: { severity: 'warning' } },
  {
    alert: 'TempoSpansDiscarded',
    series: [{ series: tempo('tempo_discarded_spans_total', ', reason="trace_too_large"'), values: '0+100x60' }],
    at: '30m',
    labels: { severity: 'warning', reason: 'trace_too_large' },
  },
  { alert: 'TempoCompactionFailing', series: [{ series: tempo('tempodb_compaction_errors_total'), values: '0+1x60' }], at: '30m', labels: { severity: 'critical' } },
  { alert: 'TempoCompactionBehind', series: [{ series: tempo('tempodb_compaction_outstanding_blocks'), values: '150x500' }], at: '7h', labels: { severity: 'warning' } },
  { alert: 'TempoRetentionFailing', series: [{ series: tempo('tempodb_retention_errors_total'), values: '0+1x60' }], at: '30m', labels: { severity: 'critical' } },
  { alert: 'TempoOverridesNotReloaded', series: [{ series: tempo('tempo_runtime_config_last_reload_successful'), values: '0x60' }], at: '30m', labels: { severity: 'warning' } },
  { alert: 'TempoRestarting', series: [{ series: tempo('process_start_time_seconds', ', pod="tempo-0"'), values: '0+60x20' }], at: '10m', labels: { severity: 'warning', pod: 'tempo-0' } },
  // 95 % of the design's 256Mi limit; the alert fires above 90 %.
  { alert: 'TempoMemoryNearLimit', series: [{ series: tempo('process_resident_memory_bytes', ', pod="tempo-0"'), values: '255013683x30' }], at: '20m', labels: { severity: 'warning', pod: 'tempo-0' } },
];

/** The same metrics at healthy values, and another Tempo's failing series, which must not trip ours. */
const healthy = [
  { series: tempo('tempo_distributor_ingester_append_failures_total'), values: '0x500' },
  { series: tempo('tempo_ingester_failed_flushes_total'), values: '3x500' },
  { series: tempo('tempo_discarded_spans_total', ', reason="rate_limited"'), values: '7x500' },
  { series: tempo('tempodb_compaction_errors_total'), values: '0x500' },
  { series: tempo('tempodb_compaction_outstanding_blocks'), values: '12x500' },
  { series: tempo('tempodb_retention_errors_total'), values: '0x500' },
  { series: tempo('tempodb_blocklist_poll_errors_total'), values: '0x500' },
  { series: tempo('tempo_runtime_config_last_reload_successful'), values: '1x500' },
  { series: tempo('process_start_time_seconds', ', pod="tempo-0"'), values: '1000x500' },
  { series: tempo('process_resident_memory_bytes', ', pod="tempo-0"'), values: '150000000x500' },
  { series: 'tempo_distributor_ingester_append_failures_total{namespace="observability", job="other-tempo"}', values: '0+10x500' },
  { series: 'process_start_time_seconds{namespace="other", job="tempo", pod="tempo-0"}', values: '0+60x500' },
];

describe.skipIf(!runsWith('promtool'))('the alert rules, checked by promtool', () => {
  test('pass promtool check rules, and each alert fires on its symptom and on nothing else (promtool test rules)', async () => {
    const rendered = await render(helmRelease('helm3'), { valuesFiles: [valuesSet('monitoring')] });
    const rule = rendered.get('PrometheusRule', 'tempo');
    const folder = scratch.make('tempo-rules-');
    const rulesFile = path.join(folder, 'rules.yaml');
    writeFileSync(rulesFile, YAML.stringify({ groups: rule.spec.groups }));
    expect(promtool(['check', 'rules', rulesFile])).toContain(`SUCCESS: ${firing.length} rules found`);

    // promtool compares annotations exactly, and they print values; the expressions, durations and labels are what is tested here.
    const withoutAnnotations = { groups: rule.spec.groups.map((group: Manifest) => ({ ...group, rules: group.rules.map(({ annotations: _, ...kept }: Manifest) => kept) })) };
    const bareRules = path.join(folder, 'bare-rules.yaml');
    writeFileSync(bareRules, YAML.stringify(withoutAnnotations));
    const common = { namespace: 'observability', job: 'tempo', team: 'tracing' };
    const tests = [
      ...firing.map((item) => ({
        interval: '1m',
        input_series: item.series,
        alert_rule_test: [{ eval_time: item.at, alertname: item.alert, exp_alerts: [{ exp_labels: { ...common, ...item.labels } }] }],
      })),
      {
        interval: '1m',
        input_series: healthy,
        alert_rule_test: firing.map((item) => ({ eval_time: '7h', alertname: item.alert, exp_alerts: [] })),
      },
    ];
    const testsFile = path.join(folder, 'tests.yaml');
    writeFileSync(testsFile, YAML.stringify({ rule_files: [bareRules], evaluation_interval: '1m', tests }));
    expect(promtool(['test', 'rules', testsFile])).toContain('SUCCESS');
  });
});

describe.skipIf(!runsWith('promtool'))('the alert rules of a distributed Tempo, checked by promtool', () => {
  test('scrape each component once through its own Service; TempoKafkaLagHigh and each component\'s TempoMemoryNearLimit fire on their symptom only', async () => {
    const rendered = await render(helmRelease('helm4'), { valuesFiles: [valuesSet('distributed-zones')], external: ['Secret/tempo-s3', 'Secret/tempo-kafka'] });
    // Each pod once: the Services the monitor selects carry the http port, one per component, and select every Tempo pod between them, none twice.
    const monitor = rendered.get('ServiceMonitor', 'tempo');
    const selected = rendered.ofKind('Service').filter((service) =>
      Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => service.metadata.labels?.[key] === value) &&
      monitor.spec.selector.matchExpressions.every((expression: Manifest) => expression.operator === 'Exists' && service.metadata.labels?.[expression.key] !== undefined));
    const workloads = rendered.documents.filter((doc) => (doc.kind === 'Deployment' || doc.kind === 'StatefulSet') && doc.metadata.name !== 'tempo-gateway');
    const scrapedBy = (workload: Manifest) => selected.filter((service) => Object.entries<string>(service.spec.selector).every(([key, value]) => workload.spec.template.metadata.labels[key] === value));
    for (const workload of workloads) expect(scrapedBy(workload).map((service) => service.metadata.name), workload.metadata.name).toEqual([workload.metadata.name]);
    for (const service of selected) expect(service.spec.ports.map((port: Manifest) => port.name)).toContain('http');

    const rule = rendered.get('PrometheusRule', 'tempo');
    const folder = scratch.make('tempo-rules-');
    const bareRules = path.join(folder, 'bare-rules.yaml');
    writeFileSync(bareRules, YAML.stringify({ groups: rule.spec.groups.map((group: Manifest) => ({ ...group, rules: group.rules.map(({ annotations: _, ...kept }: Manifest) => kept) })) }));
    promtool(['check', 'rules', bareRules]);
    const lag = (job: string, seconds: number) => ({ series: `tempo_ingest_group_partition_lag_seconds{namespace="observability", job="${job}", group="${job}", partition="1"}`, values: `${seconds}x30` });
    // A live-store of zone b with its 1Gi limit at 95 %, a querier (also 1Gi) well below.
    const memory = (job: string, pod: string, bytes: number) => ({ series: `process_resident_memory_bytes{namespace="observability", job="${job}", pod="${pod}"}`, values: `${bytes}x30` });
    const tests = [
      {
        interval: '1m',
        input_series: [lag('tempo-live-store-zone-b', 600), lag('tempo-block-builder', 20), memory('tempo-live-store-zone-b', 'tempo-live-store-zone-b-1', 1020054732), memory('tempo-querier', 'tempo-querier-7d4f-abcde', 300000000)],
        alert_rule_test: [
          { eval_time: '20m', alertname: 'TempoKafkaLagHigh', exp_alerts: [{ exp_labels: { severity: 'warning', namespace: 'observability', job: 'tempo-live-store-zone-b', group: 'tempo-live-store-zone-b', partition: '1' } }] },
          { eval_time: '20m', alertname: 'TempoMemoryNearLimit', exp_alerts: [{ exp_labels: { severity: 'warning', component: 'live-store-zone-b', namespace: 'observability', job: 'tempo-live-store-zone-b', pod: 'tempo-live-store-zone-b-1' } }] },
        ],
      },
    ];
    const testsFile = path.join(folder, 'tests.yaml');
    writeFileSync(testsFile, YAML.stringify({ rule_files: [bareRules], evaluation_interval: '1m', tests }));
    expect(promtool(['test', 'rules', testsFile])).toContain('SUCCESS');
  });
});

describe.each(helmReleases)('monitoring resources ($label)', (helm) => {
  test('a ServiceMonitor scrapes Tempo through the one Service with an http port, with the set settings', async () => {
    const rendered = await render(helm, { valuesFiles: [valuesSet('monitoring')], values: { service: { ingest: { enabled: true } }, replicas: 3, storage: { backend: 's3', s3: { bucket: 'traces' } } } });
    const monitor = rendered.get('ServiceMonitor', 'tempo');
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.endpoints).toEqual([
      {
        port: 'http',
        path: '/metrics',
        scheme: 'http',
        interval: '15s',
        scrapeTimeout: '10s',
        relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_node_name'], targetLabel: 'node' }],
        metricRelabelings: [{ sourceLabels: ['__name__'], regex: 'go_gc_duration_seconds.*', action: 'drop' }],
      },
    ]);
    // Each pod once: of the Services the selector matches (main, ingest, headless), one carries http.
    const matched = rendered.ofKind('Service').filter((service) => Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => service.metadata.labels?.[key] === value));
    expect(matched.map((service) => service.metadata.name).sort()).toEqual(['tempo', 'tempo-headless', 'tempo-ingest']);
    expect(matched.filter((service) => service.spec.ports.some((port: Manifest) => port.name === 'http')).map((service) => service.metadata.name)).toEqual(['tempo']);
  });

  test('a PodMonitor selects Tempo pods, not the gateway, and the rules follow its job label; both can live in another namespace', async () => {
    const rendered = await render(helm, {
      valuesFiles: [valuesSet('pod-monitor')],
      values: { monitoring: { podMonitor: { namespace: 'monitoring' }, rules: { namespace: 'monitoring' } } },
    });
    const monitor = rendered.get('PodMonitor', 'tempo');
    expect(monitor.metadata.namespace).toBe('monitoring');
    expect(monitor.spec.namespaceSelector).toEqual({ matchNames: ['observability'] });
    expect(monitor.spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'tempo', 'app.kubernetes.io/instance': 'tempo' });
    expect(monitor.spec.podMetricsEndpoints[0]).toMatchObject({ port: 'http', scheme: 'https', tlsConfig: { serverName: 'tempo.observability.svc', ca: { secret: { name: 'tempo-ca', key: 'ca.crt' } } } });
    const rule = rendered.get('PrometheusRule', 'tempo');
    expect(rule.metadata.namespace).toBe('monitoring');
    expect(rule.spec.groups[0].rules[0].expr).toContain('job="monitoring/tempo"');
    expect(rendered.ofKind('ServiceMonitor')).toEqual([]);
  });

  test('the tolerated failures and compaction backlog are values', async () => {
    const rendered = await render(helm, { valuesFiles: [valuesSet('monitoring')], values: { monitoring: { rules: { failuresPerHour: 5, compactionBacklogBlocks: 400 } } } });
    const expr = (alert: string) => rendered.get('PrometheusRule', 'tempo').spec.groups[0].rules.find((rule: Manifest) => rule.alert === alert).expr;
    expect(expr('TempoFlushesFailing')).toMatch(/\[1h\]\)\) > 5$/);
    expect(expr('TempoCompactionFailing')).toMatch(/\[1h\]\)\) > 5$/);
    expect(expr('TempoCompactionBehind')).toMatch(/\) > 400$/);
  });

  test('without a memory limit there is no memory alert', async () => {
    const rendered = await render(helm, { valuesFiles: [valuesSet('monitoring')], values: { sizing: { preset: 'none' } } });
    const alerts = rendered.get('PrometheusRule', 'tempo').spec.groups[0].rules.map((rule: Manifest) => rule.alert);
    expect(alerts).not.toContain('TempoMemoryNearLimit');
    expect(alerts).toContain('TempoRestarting');
  });
});
