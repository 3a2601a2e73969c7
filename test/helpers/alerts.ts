import path from 'node:path';
import { helmRelease, render, type HelmInput } from './helm.ts';
import { valuesSetsDir } from './values-sets.ts';

/**
 * Metrics the alert rules use that Tempo exposes only once their first event has happened, with the
 * event (seen on 2.5.0, 2.10.8 and 3.0.3). Every other metric of the rules must be on /metrics of a
 * Tempo that has only started and taken a few spans.
 */
export const metricsAfterEvent: Record<string, string> = {
  tempo_distributor_ingester_append_failures_total: 'a push from the distributor to an ingester fails',
  tempo_discarded_spans_total: 'the first span refused or discarded (a request over the rate limit here)',
  tempodb_compaction_outstanding_blocks: "the first blocklist poll that finds a tenant's blocks in the store",
  tempodb_blocklist_poll_errors_total: 'the first failed poll of the store',
  tempo_runtime_config_last_reload_successful: 'a per-tenant overrides file is configured (tempo.overrides.perTenant)',
};

/** The metric names the alert rules' expressions read, from the PrometheusRule of the monitoring values set. */
export async function alertRuleMetrics(values: HelmInput['values'] = {}): Promise<string[]> {
  const rendered = await render(helmRelease('helm4'), { valuesFiles: [path.join(valuesSetsDir, 'monitoring.yaml')], values });
  const expressions: string[] = rendered.ofKind('PrometheusRule').flatMap((rule) => rule.spec.groups.flatMap((group: { rules: { expr: string }[] }) => group.rules.map((entry) => entry.expr)));
  return [...new Set(expressions.flatMap((expr) => [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((match) => match[1]!)))].sort();
}
