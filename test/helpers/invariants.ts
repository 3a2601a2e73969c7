import type { Manifest } from './helm.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { paths } from '../../build/paths.ts';
import type { PathKey } from '../../build/tempo-facts.ts';
import type { SeriesCheck } from '../../build/tempo-rules.ts';
import type { TempoSeries } from '../../build/tempo-versions.ts';
import type { Wiring } from '../../build/wiring.ts';
import { parseYamlOrUndefined, tempoConfigOf } from './tempo-config.ts';

/** What the chart knows of Tempo's configuration (paths it writes, credential keys): the same facts the chart checks. */
const tempoFacts = YAML.parse(readFileSync(path.join(paths.tempoConfigSources, 'facts.yaml'), 'utf8')) as {
  writes: PathKey[];
  credentialKeys: string[];
  environmentReference: string;
};

/**
 * Rules every rendering of the chart must keep, whatever the values: Pod Security "restricted",
 * wiring between objects, and agreement between the Tempo configuration and the pod that runs it.
 * Each rule has a name; a rendering that breaks one on purpose says so by name (verify.ts), and one
 * that references objects it does not render lists them as external. A rule that does not apply to
 * a rendering (no Service, no Tempo configuration) passes.
 */

export const invariantNames = [
  // Pod Security Standards, "restricted" profile, plus a read-only root filesystem.
  'hostNamespaces',
  'privileged',
  'capabilities',
  'hostPathVolumes',
  'volumeTypes',
  'hostPorts',
  'procMount',
  'sysctls',
  'allowPrivilegeEscalation',
  'runAsNonRoot',
  'runAsUser',
  'seccompProfile',
  'readOnlyRootFilesystem',
  'fsGroup',
  // Wiring.
  'serviceSelectsPods',
  'selectorLabels',
  'referencesResolve',
  'namedPorts',
  'uniquePorts',
  // Tempo and its pod.
  'tempoListenersExposed',
  'tempoWritesToVolumes',
  'noSecretsInConfigMaps',
  'networkPolicyAdmitsListeners',
] as const;
export type InvariantName = (typeof invariantNames)[number];

type Json = Record<string, any>;

interface PodTemplate {
  owner: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  spec: Json;
  /** A StatefulSet's volumeClaimTemplates: volumes each pod gets as its own claim. */
  claimTemplates: string[];
}

const selectorKeys = ['app.kubernetes.io/instance', 'app.kubernetes.io/name'];
const restrictedVolumeTypes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
const writableVolumeTypes = ['emptyDir', 'ephemeral', 'persistentVolumeClaim'];
const safeSysctls = [
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
];

/**
 * Tempo's receivers, as the chart's wiring table lists them (chart/templates/_wiring.tpl, generated
 * from values.schema.json): the configuration block of each (its endpoint's parent), the port it binds
 * when the block gives none, and its protocol. A receiver added to the schema is checked here too.
 */
const receiverListeners = chartWiring()
  .listeners.filter((listener) => listener.receiver)
  .map((listener) => ({ setting: listener.tempoKey.replace(/\.endpoint$/, ''), port: listener.default, protocol: listener.protocol }));

/** A JSON table the built chart carries in chart/templates/_wiring.tpl, by the name of its define. */
export function wiringTemplateTable(define: string): unknown {
  const template = readFileSync(path.join(paths.chart, 'templates', '_wiring.tpl'), 'utf8');
  const found = new RegExp(`define "${define.replaceAll('.', '\\.')}" -\\}\\}\n(.*)\n`).exec(template);
  if (!found) throw new Error(`chart/templates/_wiring.tpl defines no ${define}`);
  return JSON.parse(found[1]!);
}

/** What a series' release accepts beyond its configuration schema, as the built chart carries it (files/tempo/<series>/accepts.json). */
export function chartAccepts(series: string): { flags: string[]; checks: SeriesCheck[] } {
  return JSON.parse(readFileSync(path.join(paths.chart, 'files', 'tempo', series, 'accepts.json'), 'utf8'));
}

/** The Tempo series the built chart supports, oldest first; the first is its default. */
export function chartSeries(): TempoSeries[] {
  return (wiringTemplateTable('tempo.versions.table') as { series: TempoSeries[] }).series;
}

/** A series' wiring table as the built chart carries it; the default series' unless told. */
export function chartWiring(series = chartSeries()[0]!.name): Wiring {
  return wiringTemplateTable(`tempo.wiring.table.${series}`) as Wiring;
}

export function podTemplates(documents: Manifest[]): PodTemplate[] {
  return documents.flatMap((doc): PodTemplate[] => {
    const owner = `${doc.kind}/${doc.metadata.name}`;
    const template =
      doc.kind === 'Pod' ? { metadata: doc.metadata, spec: doc.spec } : doc.kind === 'CronJob' ? doc.spec?.jobTemplate?.spec?.template : doc.spec?.template;
    if (!template?.spec?.containers) return [];
    const claimTemplates = doc.kind === 'StatefulSet' ? (doc.spec?.volumeClaimTemplates ?? []).map((claim: Json) => claim.metadata?.name) : [];
    return [{ owner, namespace: doc.metadata.namespace, labels: template.metadata?.labels ?? {}, spec: template.spec, claimTemplates }];
  });
}

/** True when the Service sends traffic to pods made from this template. */
function selects(service: Manifest, pod: PodTemplate): boolean {
  const selector: Record<string, string> = service.spec?.selector ?? {};
  return (
    service.metadata.namespace === pod.namespace &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([key, value]) => pod.labels[key] === value)
  );
}

/** True when a selector uses exactly the name and instance labels, which stay fixed across upgrades. */
/**
 * Selectors are immutable: they select by name and instance, and at most the component (a distributed
 * Tempo's distributor, live-store...) and what it is part of (the memberlist members), labels that
 * never change for an object; never by version or chart, which change with every release.
 */
const stableSelectorExtras = ['app.kubernetes.io/component', 'app.kubernetes.io/part-of'];
const selectsByStableLabels = (selector: Record<string, string> | undefined) => {
  const keys = Object.keys(selector ?? {});
  return selectorKeys.every((key) => keys.includes(key)) && keys.every((key) => selectorKeys.includes(key) || stableSelectorExtras.includes(key));
};

/** True when a Service port sends traffic to this container port (by name or by number). */
function targets(servicePort: Json, containerPort: Json): boolean {
  const target = servicePort.targetPort ?? servicePort.port;
  return typeof target === 'string' ? target === containerPort.name : target === containerPort.containerPort;
}

const allContainers = (spec: Json): Json[] => [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];

/**
 * Every broken rule, as "[name] where: what"; empty when the rendering keeps them all. `external`
 * lists the objects ("Kind/name") the rendering may reference without creating them.
 */
export function checkInvariants(documents: Manifest[], external: readonly string[] = []): string[] {
  const problems: Array<[InvariantName, string]> = [];
  const report = (name: InvariantName, message: string) => problems.push([name, message]);
  const pods = podTemplates(documents);

  for (const pod of pods) checkPodSecurity(pod, report);
  checkWiring(documents, pods, external, report);
  checkTempo(documents, pods, report);
  return problems.map(([name, message]) => `[${name}] ${message}`);
}

type Report = (name: InvariantName, message: string) => void;

function checkPodSecurity(pod: PodTemplate, report: Report): void {
  const spec = pod.spec;
  const podContext: Json = spec.securityContext ?? {};
  for (const key of ['hostNetwork', 'hostPID', 'hostIPC']) {
    if (spec[key] === true) report('hostNamespaces', `${pod.owner}: ${key} is true`);
  }
  for (const volume of spec.volumes ?? []) {
    const type = Object.keys(volume).find((key) => key !== 'name');
    if (type === 'hostPath') report('hostPathVolumes', `${pod.owner}: volume ${volume.name} is a hostPath`);
    else if (type && !restrictedVolumeTypes.includes(type)) report('volumeTypes', `${pod.owner}: volume ${volume.name} has type ${type}`);
  }
  for (const sysctl of podContext.sysctls ?? []) {
    if (!safeSysctls.includes(sysctl.name)) report('sysctls', `${pod.owner}: sysctl ${sysctl.name} is not in the safe set`);
  }
  if (podContext.runAsUser === 0) report('runAsUser', `${pod.owner}: the pod runs as UID 0`);

  const writesToVolumes = allContainers(spec).some((container) => (container.volumeMounts ?? []).some((mount: Json) => !mount.readOnly));
  if (writesToVolumes && !Number.isInteger(podContext.fsGroup)) {
    report('fsGroup', `${pod.owner}: containers write to volumes but the pod sets no securityContext.fsGroup`);
  }

  for (const container of allContainers(spec)) {
    const where = `${pod.owner} container ${container.name}`;
    const context: Json = container.securityContext ?? {};
    const effective = (key: string) => (context[key] !== undefined ? context[key] : podContext[key]);
    if (context.privileged === true) report('privileged', `${where}: privileged is true`);
    if (context.windowsOptions?.hostProcess === true) report('hostNamespaces', `${where}: hostProcess is true`);
    const drop: string[] = context.capabilities?.drop ?? [];
    if (!drop.includes('ALL')) report('capabilities', `${where}: capabilities.drop does not include ALL`);
    for (const added of context.capabilities?.add ?? []) {
      if (added !== 'NET_BIND_SERVICE') report('capabilities', `${where}: adds capability ${added}`);
    }
    for (const port of container.ports ?? []) {
      if (port.hostPort) report('hostPorts', `${where}: port ${port.name ?? port.containerPort} uses hostPort ${port.hostPort}`);
    }
    if (context.procMount !== undefined && context.procMount !== 'Default') report('procMount', `${where}: procMount is ${context.procMount}`);
    if (context.allowPrivilegeEscalation !== false) report('allowPrivilegeEscalation', `${where}: allowPrivilegeEscalation is not false`);
    if (effective('runAsNonRoot') !== true) report('runAsNonRoot', `${where}: runAsNonRoot is not true`);
    if (context.runAsUser === 0) report('runAsUser', `${where}: runs as UID 0`);
    const seccomp = effective('seccompProfile')?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') report('seccompProfile', `${where}: seccompProfile is ${seccomp ?? 'unset'}`);
    if (context.readOnlyRootFilesystem !== true) report('readOnlyRootFilesystem', `${where}: readOnlyRootFilesystem is not true`);
  }
}

function checkWiring(documents: Manifest[], pods: PodTemplate[], external: readonly string[], report: Report): void {
  const rendered = new Set(documents.map((doc) => `${doc.kind}/${doc.metadata.name}`));
  const exists = (reference: string) => rendered.has(reference) || external.includes(reference);

  for (const doc of documents) {
    if (doc.spec?.template && doc.spec?.selector) {
      if (!selectsByStableLabels(doc.spec.selector.matchLabels) || doc.spec.selector.matchExpressions) {
        report('selectorLabels', `${doc.kind}/${doc.metadata.name}: selects by ${JSON.stringify(doc.spec.selector)}, not by name and instance (and component) only`);
      }
    }
  }

  for (const service of documents.filter((doc) => doc.kind === 'Service')) {
    const label = `Service/${service.metadata.name}`;
    const selector: Record<string, string> | undefined = service.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) {
      report('serviceSelectsPods', `${label}: has no selector`);
      continue;
    }
    if (!selectsByStableLabels(selector)) {
      report('selectorLabels', `${label}: selects by ${Object.keys(selector).join(', ')}, not by name and instance (and component) only`);
    }
    const selected = pods.filter((pod) => selects(service, pod));
    if (selected.length === 0) report('serviceSelectsPods', `${label}: selects no pod template`);
    for (const port of service.spec?.ports ?? []) {
      for (const pod of selected) {
        const containerPorts: Json[] = pod.spec.containers.flatMap((container: Json) => container.ports ?? []);
        if (!containerPorts.some((candidate) => targets(port, candidate))) {
          report('namedPorts', `${label}: port ${port.name ?? port.port} targets ${port.targetPort ?? port.port}, which no container of ${pod.owner} declares`);
        }
      }
    }
    const numbers = (service.spec?.ports ?? []).map((port: Json) => `${port.port}/${port.protocol ?? 'TCP'}`);
    for (const duplicate of duplicates(numbers)) report('uniquePorts', `${label}: port ${duplicate} appears twice`);
  }

  for (const pod of pods) {
    const references: string[] = [];
    if (pod.spec.serviceAccountName && pod.spec.serviceAccountName !== 'default') references.push(`ServiceAccount/${pod.spec.serviceAccountName}`);
    for (const secret of pod.spec.imagePullSecrets ?? []) references.push(`Secret/${secret.name}`);
    for (const volume of pod.spec.volumes ?? []) {
      if (volume.configMap && !volume.configMap.optional) references.push(`ConfigMap/${volume.configMap.name}`);
      if (volume.secret && !volume.secret.optional) references.push(`Secret/${volume.secret.secretName}`);
      if (volume.persistentVolumeClaim) references.push(`PersistentVolumeClaim/${volume.persistentVolumeClaim.claimName}`);
      for (const source of volume.projected?.sources ?? []) {
        if (source.configMap && !source.configMap.optional) references.push(`ConfigMap/${source.configMap.name}`);
        if (source.secret && !source.secret.optional) references.push(`Secret/${source.secret.name}`);
      }
    }
    for (const container of allContainers(pod.spec)) {
      for (const variable of container.env ?? []) {
        const { configMapKeyRef, secretKeyRef } = variable.valueFrom ?? {};
        if (configMapKeyRef && !configMapKeyRef.optional) references.push(`ConfigMap/${configMapKeyRef.name}`);
        if (secretKeyRef && !secretKeyRef.optional) references.push(`Secret/${secretKeyRef.name}`);
      }
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef && !source.configMapRef.optional) references.push(`ConfigMap/${source.configMapRef.name}`);
        if (source.secretRef && !source.secretRef.optional) references.push(`Secret/${source.secretRef.name}`);
      }
      const names = new Set((container.ports ?? []).map((port: Json) => port.name));
      for (const [kind, probe] of Object.entries({ readinessProbe: container.readinessProbe, livenessProbe: container.livenessProbe, startupProbe: container.startupProbe })) {
        const port = probe?.httpGet?.port ?? probe?.tcpSocket?.port ?? probe?.grpc?.port;
        if (typeof port === 'string' && !names.has(port)) report('namedPorts', `${pod.owner} container ${container.name}: ${kind} uses port ${port}, which the container does not declare`);
      }
    }
    for (const reference of new Set(references)) {
      if (!exists(reference)) report('referencesResolve', `${pod.owner}: references ${reference}, which is neither rendered nor declared external`);
    }
    const containerPorts = pod.spec.containers.flatMap((container: Json) => (container.ports ?? []).map((port: Json) => `${port.containerPort}/${port.protocol ?? 'TCP'}`));
    for (const duplicate of duplicates(containerPorts)) report('uniquePorts', `${pod.owner}: container port ${duplicate} appears twice`);
  }
}

/** Tempo's configuration against the pod that runs it: listeners exposed, data on writable volumes. */
function checkTempo(documents: Manifest[], pods: PodTemplate[], report: Report): void {
  for (const configMap of documents.filter((doc) => doc.kind === 'ConfigMap')) {
    for (const [key, text] of Object.entries<string>(configMap.data ?? {})) {
      for (const [setting, value] of literalCredentials(parseYamlOrUndefined(text), [])) {
        report('noSecretsInConfigMaps', `ConfigMap/${configMap.metadata.name} ${key}: ${setting} holds a literal "${value.slice(0, 3)}…"; pass it through the environment`);
      }
    }
  }

  for (const pod of pods) {
    const tempo = tempoConfigOf(pod.spec, documents);
    if (!tempo) continue;
    const { container, config } = tempo;
    const where = `${pod.owner} container ${container.name}`;
    const listeners = tempoListeners(config, targetOf(container, config));
    for (const duplicate of duplicates(listeners.map((listener) => `${listener.port}/${listener.protocol}`))) {
      report('uniquePorts', `${where}: Tempo binds ${duplicate} twice`);
    }
    const services = documents.filter((doc) => doc.kind === 'Service' && selects(doc, pod));
    for (const listener of listeners.filter((candidate) => candidate.exposed)) {
      const port = (container.ports ?? []).find((candidate: Json) => candidate.containerPort === listener.port && (candidate.protocol ?? 'TCP') === listener.protocol);
      if (!port) {
        report('tempoListenersExposed', `${where}: Tempo listens on ${listener.port}/${listener.protocol} (${listener.setting}) without a container port`);
        continue;
      }
      const served = services.some((service) =>
        (service.spec.ports ?? []).some((servicePort: Json) => targets(servicePort, port) && (servicePort.protocol ?? 'TCP') === listener.protocol),
      );
      if (!served) report('tempoListenersExposed', `${where}: no Service port reaches ${listener.setting} (${listener.port}/${listener.protocol})`);
    }

    // A NetworkPolicy that selects the pod and leaves out a port Tempo serves would drop that traffic silently.
    const policies = documents.filter(
      (doc) => doc.kind === 'NetworkPolicy' && doc.metadata.namespace === pod.namespace && (doc.spec?.policyTypes ?? ['Ingress']).includes('Ingress') &&
        Object.entries<string>(doc.spec?.podSelector?.matchLabels ?? {}).every(([key, value]) => pod.labels[key] === value),
    );
    const gossips = (container.ports ?? []).some((port: Json) => port.name === 'gossip');
    for (const policy of policies) {
      for (const listener of listeners.filter((candidate) => candidate.exposed || (gossips && candidate.setting === 'memberlist.bind_port'))) {
        const admitted = (policy.spec.ingress ?? []).some(
          (rule: Json) => !rule.ports || rule.ports.some((port: Json) => port.port === listener.port && (port.protocol ?? 'TCP') === listener.protocol),
        );
        if (!admitted) report('networkPolicyAdmitsListeners', `NetworkPolicy/${policy.metadata.name}: admits nothing on ${listener.port}/${listener.protocol} (${listener.setting}) of ${pod.owner}`);
      }
    }

    const mounts: Json[] = container.volumeMounts ?? [];
    const volumes = new Map<string, Json>((pod.spec.volumes ?? []).map((volume: Json) => [volume.name, volume]));
    const writable = mounts.filter(
      (mount) => !mount.readOnly && (pod.claimTemplates.includes(mount.name) || writableVolumeTypes.some((type) => volumes.get(mount.name)?.[type] !== undefined)),
    );
    const writePaths = tempoWritePaths(config);
    const under = (file: string, dir: string) => file === dir || file.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
    for (const { setting, path } of writePaths) {
      if (!path.startsWith('/')) report('tempoWritesToVolumes', `${where}: ${setting} is the relative path ${path}`);
      else if (!writable.some((mount) => under(path, mount.mountPath))) report('tempoWritesToVolumes', `${where}: ${setting} (${path}) is not on a writable volume`);
    }
    for (const mount of mounts.filter((candidate) => !candidate.readOnly)) {
      if (!writePaths.some(({ path }) => under(path, mount.mountPath))) {
        report('tempoWritesToVolumes', `${where}: ${mount.mountPath} is mounted writable but Tempo writes nothing there`);
      }
    }
  }
}

interface TempoListener {
  port: number;
  protocol: 'TCP' | 'UDP';
  setting: string;
  exposed: boolean;
}

const portOf = (endpoint: unknown, fallback: number): number => {
  if (typeof endpoint !== 'string' || !endpoint.includes(':')) return fallback;
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
};

/** Every port Tempo binds with this configuration; receivers and the HTTP API must be reachable. */
/** The module a Tempo container runs: its -target argument, else the configuration's target, else all. */
export function targetOf(container: Json, config: Json): string {
  const argument = (container.args ?? []).find((arg: string) => /^--?target=/.test(arg));
  return argument ? argument.slice(argument.indexOf('=') + 1) : (config.target ?? 'all');
}

/** The targets that run the distributor, and so bind the receivers. */
const receivingTargets = ['all', 'scalable-single-binary', 'distributor'];

export function tempoListeners(config: Json, target = 'all'): TempoListener[] {
  const listeners: TempoListener[] = [
    { port: config.server?.http_listen_port ?? 80, protocol: 'TCP', setting: 'server.http_listen_port', exposed: true },
    { port: config.server?.grpc_listen_port ?? 9095, protocol: 'TCP', setting: 'server.grpc_listen_port', exposed: false },
    { port: config.memberlist?.bind_port ?? 7946, protocol: 'TCP', setting: 'memberlist.bind_port', exposed: false },
  ];
  for (const receiver of receivingTargets.includes(target) ? receiverListeners : []) {
    const settings = receiver.setting.split('.').reduce<unknown>((node, part) => (node as Json | undefined)?.[part], config);
    if (settings === undefined) continue;
    listeners.push({ port: portOf((settings as Json | null)?.endpoint, receiver.port), protocol: receiver.protocol, setting: receiver.setting, exposed: true });
  }
  return listeners;
}

/** The paths Tempo writes to with this configuration (build/tempo-config/facts.yaml). */
export function tempoWritePaths(config: Json): Array<{ setting: string; path: string }> {
  const at = (key: string): unknown => key.split('.').reduce<unknown>((node, part) => (node as Json | undefined)?.[part], config);
  return tempoFacts.writes.flatMap((entry) => {
    if (entry.when && at(entry.when.key) !== entry.when.equals) return [];
    const written = at(entry.key) || entry.default;
    return typeof written === 'string' && written !== '' ? [{ setting: entry.key, path: written }] : [];
  });
}

/** A credential is fine in a ConfigMap only as an environment reference that -config.expand-env fills in. */
const environmentReference = new RegExp(tempoFacts.environmentReference);

function literalCredentials(node: unknown, path: string[]): Array<[string, string]> {
  if (Array.isArray(node)) return node.flatMap((child, index) => literalCredentials(child, [...path, String(index)]));
  if (typeof node !== 'object' || node === null) return [];
  return Object.entries(node).flatMap(([key, value]): Array<[string, string]> => {
    const isScalar = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
    if (tempoFacts.credentialKeys.includes(key) && isScalar && String(value) !== '' && !environmentReference.test(String(value))) {
      return [[[...path, key].join('.'), String(value)]];
    }
    return literalCredentials(value, [...path, key]);
  });
}

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}
