import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import YAML from 'yaml';
import type { ValuesOverride } from '../../build/generated/values.ts';
import { helmBinary, helmRelease, helmReleases, isolatedHelmEnv, type HelmRelease } from '../../tools/helm.ts';
import { paths } from '../../build/paths.ts';
import type { KubeVersion } from './kubernetes.ts';
import { tempoConfigOf } from './tempo-config.ts';
import { verifyRendering } from './verify.ts';

export { helmRelease, helmReleases, type HelmRelease };

export interface HelmInput {
  release?: string;
  namespace?: string;
  /** Values files, passed as -f in order. */
  valuesFiles?: string[];
  /** Values written to a temporary file and passed after valuesFiles, typed by the generated values type. */
  values?: ValuesOverride;
  /** Values that break the schema on purpose, passed as they are after values. */
  invalidValues?: Record<string, unknown>;
  /** Raw --set arguments, for values a file cannot express the same way. */
  set?: string[];
  chartDir?: string;
  /** Extra arguments about the chart, such as --version and --plain-http for an oci:// chart. */
  chartArgs?: string[];
  /** The Kubernetes version helm renders for (--kube-version) and the rendering is validated against. */
  kubeVersion?: KubeVersion;
  /** Invariants this rendering breaks on purpose (see invariants.ts). */
  allow?: readonly string[];
  /** Objects the rendering references but does not create, as "Kind/name". */
  external?: readonly string[];
  /** Render the helm test hooks too; most tests look at what helm install creates (--skip-tests). */
  tests?: boolean;
}

export interface HelmResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A Kubernetes object as helm rendered it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

export class Rendered {
  constructor(readonly documents: Manifest[]) {}

  /** The one object of this kind and name; fails the test when it is missing. */
  get(kind: string, name: string): Manifest {
    const found = this.documents.find((doc) => doc.kind === kind && doc.metadata.name === name);
    if (!found) throw new Error(`no ${kind}/${name} among: ${this.keys().join(', ')}`);
    return found;
  }

  /**
   * A component's objects, found by its pods' labels as the components table gives them (each
   * component's pods carry app.kubernetes.io/component; Tempo's, the design's pod, carry none): its
   * workload, whatever its kind (a Deployment, a StatefulSet, the helm test's Pod), the Services that
   * select its pods and its disruption budget. Tests reach objects through it, so they hold whatever
   * the release is called and however Tempo runs.
   */
  component(name: string): { workload: Manifest; podSpec: Manifest; services: Manifest[]; disruptionBudget?: Manifest } {
    const podLabels = (doc: Manifest) => (doc.kind === 'Pod' ? doc.metadata.labels : doc.spec?.template?.metadata?.labels) ?? {};
    const found = this.documents.filter(
      (doc) => ['Deployment', 'StatefulSet', 'Pod'].includes(doc.kind) && (podLabels(doc)['app.kubernetes.io/component'] ?? 'tempo') === name,
    );
    if (found.length !== 1) throw new Error(`expected one workload of component ${name}, found ${found.length} among: ${this.keys().join(', ')}`);
    const workload = found[0]!;
    const labels = podLabels(workload);
    const selects = (selector: Record<string, string> | undefined) => selector !== undefined && Object.entries(selector).every(([key, value]) => labels[key] === value);
    return {
      workload,
      podSpec: workload.kind === 'Pod' ? workload.spec : workload.spec.template.spec,
      services: this.ofKind('Service').filter((service) => selects(service.spec.selector)),
      disruptionBudget: this.ofKind('PodDisruptionBudget').find((budget) => selects(budget.spec.selector.matchLabels)),
    };
  }

  /**
   * The workload that runs Tempo, whatever its kind: the design's Deployment, or the StatefulSet of a
   * scaled-out Tempo (the component tempo); or, by name, any workload.
   */
  workload(name?: string): Manifest {
    if (name === undefined) return this.component('tempo').workload;
    const found = this.documents.filter((doc) => (doc.kind === 'Deployment' || doc.kind === 'StatefulSet') && doc.metadata.name === name);
    if (found.length !== 1) throw new Error(`expected one Deployment or StatefulSet ${name}, found ${found.length} among: ${this.keys().join(', ')}`);
    return found[0]!;
  }

  /** The Tempo container of the workload. */
  tempoContainer(name?: string): Manifest {
    return this.workload(name).spec.template.spec.containers.find((container: Manifest) => container.name === 'tempo');
  }

  ofKind(kind: string): Manifest[] {
    return this.documents.filter((doc) => doc.kind === kind);
  }

  keys(): string[] {
    return this.documents.map((doc) => `${doc.kind}/${doc.metadata.name}`);
  }

  /** The Tempo configuration the workload's pods run with (from its ConfigMap or Secret), parsed. */
  tempoConfig(name?: string): Record<string, any> {
    const found = tempoConfigOf(this.workload(name).spec.template.spec, this.documents);
    if (!found) throw new Error(`the workload ${name ?? 'of Tempo'} runs no Tempo with a rendered configuration`);
    return found.config;
  }
}

/** Runs helm with the chart's inputs and returns what it printed, whatever its exit code. */
export async function runHelm(release: HelmRelease, command: string[], input: HelmInput = {}): Promise<HelmResult> {
  const tempDir = mkdtempSync(path.join(os.tmpdir(), 'tempo-chart-'));
  try {
    const args = [...command];
    for (const file of input.valuesFiles ?? []) args.push('--values', file);
    for (const [name, values] of [['values', input.values], ['invalid-values', input.invalidValues]] as const) {
      if (!values) continue;
      const file = path.join(tempDir, `${name}.yaml`);
      writeFileSync(file, YAML.stringify(values));
      args.push('--values', file);
    }
    for (const assignment of input.set ?? []) args.push('--set', assignment);
    const result = await execa(helmBinary(release), args, {
      reject: false,
      env: isolatedHelmEnv(tempDir),
    });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  } finally {
    rmSync(tempDir, { recursive: true, force: true });
  }
}

/** Helm 3.18.0 and 4.1.4 default to different versions; every render names one so both agree. */
export const defaultKubeVersion: KubeVersion = '1.35';

function templateCommand(input: HelmInput): string[] {
  return [
    'template',
    input.release ?? 'tempo',
    input.chartDir ?? paths.chart,
    '--namespace',
    input.namespace ?? 'observability',
    '--kube-version',
    `${input.kubeVersion ?? defaultKubeVersion}.0`,
    ...(input.tests ? [] : ['--skip-tests']),
    ...(input.chartArgs ?? []),
  ];
}

/**
 * `helm template`, parsed into objects; throws with helm's message when rendering fails, and with
 * every problem when the rendering is not valid for Kubernetes, for Tempo or for the invariants.
 */
export async function render(release: HelmRelease, input: HelmInput = {}): Promise<Rendered> {
  const result = await runHelm(release, templateCommand(input), input);
  if (result.exitCode !== 0) throw new Error(`helm template failed (${release.label}):\n${result.stderr}`);
  const documents = YAML.parseAllDocuments(result.stdout)
    .map((doc) => doc.toJS() as Manifest | null)
    .filter((doc): doc is Manifest => doc !== null);
  const problems = verifyRendering(documents, {
    kubeVersion: input.kubeVersion ?? defaultKubeVersion,
    allow: input.allow,
    external: input.external,
  });
  if (problems.length > 0) throw new Error(`the rendering (${release.label}) is not sound:\n  ${problems.join('\n  ')}`);
  return new Rendered(documents);
}

/** `helm template`'s output as helm printed it, unparsed: for comparing renderings byte by byte. */
export async function renderText(release: HelmRelease, input: HelmInput = {}): Promise<string> {
  const result = await runHelm(release, templateCommand(input), input);
  if (result.exitCode !== 0) throw new Error(`helm template failed (${release.label}):\n${result.stderr}`);
  return result.stdout;
}

/** `helm template` that must fail; returns helm's error output. */
export async function renderError(release: HelmRelease, input: HelmInput = {}): Promise<string> {
  const result = await runHelm(release, templateCommand(input), input);
  if (result.exitCode === 0) throw new Error(`helm template (${release.label}) accepted values it should refuse`);
  return result.stderr;
}

/** `helm lint --strict`; the result carries helm's whole report. */
export async function lint(release: HelmRelease, input: HelmInput = {}): Promise<HelmResult> {
  return runHelm(release, ['lint', '--strict', input.chartDir ?? paths.chart, '--namespace', input.namespace ?? 'observability'], input);
}

/**
 * The NOTES.txt helm prints after installing with these values. Helm 4 only: Helm 3's dry run needs a
 * cluster to render NOTES, Helm 4's client-side one does not.
 */
export async function renderNotes(values?: HelmInput['values'], valuesFiles: string[] = []): Promise<string> {
  const result = await runHelm(helmRelease('helm4'), ['install', 'tempo', paths.chart, '--namespace', 'observability', '--dry-run=client'], { values, valuesFiles });
  if (result.exitCode !== 0) throw new Error(`helm install --dry-run failed:\n${result.stderr}`);
  return result.stdout.slice(result.stdout.indexOf('NOTES:'));
}
