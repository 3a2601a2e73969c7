import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import YAML from 'yaml';
import { kubeVersions, readOpenApi, strictSchema, type KubeVersion } from '../../build/kubernetes-schema.ts';
import { paths } from '../../build/paths.ts';

/**
 * Offline, strict validation of rendered manifests against the Kubernetes API of one minor version,
 * as the API server's strict field validation (kubectl --validate=strict, helm 4's server-side
 * apply) would judge them: unknown fields, wrong types, missing required fields and kinds the
 * version does not serve are errors. Custom resources are checked against their CRD's schema.
 *
 * Sources: the Kubernetes OpenAPI v2 documents of 1.28, 1.32 and 1.35 (build/kubernetes-openapi/,
 * made strict by build/kubernetes-schema.ts), and the CRDs of Prometheus Operator v0.93.0 and
 * Gateway API v1.6.1 (test/fixtures/crds/).
 */

export { kubeVersions, type KubeVersion };

const fixtures = path.join(paths.root, 'test', 'fixtures');
const objectMeta = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
/** Schema ids must be absolute URIs, or ajv resolves one schema's $ref against the other's id. */
const openApiId = 'https://kubernetes.invalid/openapi.json';
const crdId = (apiVersion: string, kind: string) => `https://kubernetes.invalid/crd/${apiVersion}/${kind}.json`;

type Json = Record<string, any>;

/** A CRD's openAPIV3Schema, closed where the CRD does not preserve unknown fields. */
function fromCrdSchema(node: Json, isRoot: boolean): Json {
  const result: Json = {};
  for (const keyword of ['type', 'enum', 'required', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems']) {
    if (node[keyword] !== undefined) result[keyword] = node[keyword];
  }
  if (node.nullable === true && typeof node.type === 'string') result.type = [node.type, 'null'];
  if (node.pattern !== undefined && isJsPattern(node.pattern)) result.pattern = node.pattern;
  if (node['x-kubernetes-int-or-string']) result.type = ['integer', 'string'];
  for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
    if (node[keyword]) result[keyword] = node[keyword].map((member: Json) => fromCrdSchema(member, false));
  }
  if (node.not) result.not = fromCrdSchema(node.not, false);
  if (node.items) result.items = fromCrdSchema(node.items, false);
  if (node.properties) {
    result.properties = Object.fromEntries(
      Object.entries(node.properties).map(([key, child]) => [key, fromCrdSchema(child as Json, false)]),
    );
    // The API server validates metadata of custom resources as ObjectMeta, whatever the CRD says.
    if (isRoot) result.properties.metadata = { $ref: `${openApiId}#/definitions/${objectMeta}` };
    if (!node['x-kubernetes-preserve-unknown-fields']) result.additionalProperties = false;
  }
  if (typeof node.additionalProperties === 'object') result.additionalProperties = fromCrdSchema(node.additionalProperties, false);
  return result;
}

/** CRD patterns are Go regular expressions; the few JavaScript cannot read are left unchecked. */
function isJsPattern(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

export class KubeValidator {
  private static readonly cache = new Map<KubeVersion, KubeValidator>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  /** "apiVersion kind" to the schema id and pointer that validates it. */
  private readonly kinds = new Map<string, string>();

  private constructor(readonly version: KubeVersion) {
    const definitions: Json = {};
    for (const [name, definition] of Object.entries<Json>(readOpenApi(version))) {
      definitions[name] = strictSchema(name, definition, openApiId);
      for (const gvk of definition['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        // Each kind also appears on shared types (DeleteOptions, WatchEvent); the type named after it wins.
        if (!this.kinds.has(`${apiVersion} ${gvk.kind}`) || name.endsWith(`.${gvk.kind}`)) {
          this.kinds.set(`${apiVersion} ${gvk.kind}`, `${openApiId}#/definitions/${name}`);
        }
      }
    }
    this.ajv.addSchema({ $id: openApiId, definitions });
    this.addCrds();
  }

  static for(version: KubeVersion): KubeValidator {
    let validator = KubeValidator.cache.get(version);
    if (!validator) {
      validator = new KubeValidator(version);
      KubeValidator.cache.set(version, validator);
    }
    return validator;
  }

  private addCrds(): void {
    const dir = path.join(fixtures, 'crds');
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml'))) {
      for (const document of YAML.parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))) {
        const crd = document.toJS() as Json | null;
        if (crd?.kind !== 'CustomResourceDefinition') continue;
        for (const version of crd.spec.versions) {
          if (!version.served) continue;
          const apiVersion = `${crd.spec.group}/${version.name}`;
          const id = crdId(apiVersion, crd.spec.names.kind);
          this.ajv.addSchema({ $id: id, ...fromCrdSchema(version.schema.openAPIV3Schema, true) });
          this.kinds.set(`${apiVersion} ${crd.spec.names.kind}`, id);
        }
      }
    }
  }

  /** True when this Kubernetes version (or an installed CRD) serves apiVersion/kind. */
  serves(apiVersion: string, kind: string): boolean {
    return this.kinds.has(`${apiVersion} ${kind}`);
  }

  /** Every problem the API server would report for this object; empty when it would accept it. */
  validate(object: Json): string[] {
    const label = `${object?.kind ?? '?'}/${object?.metadata?.name ?? '?'}`;
    if (typeof object?.apiVersion !== 'string' || typeof object?.kind !== 'string') {
      return [`${label}: apiVersion and kind must both be set`];
    }
    const ref = this.kinds.get(`${object.apiVersion} ${object.kind}`);
    if (!ref) return [`${label}: Kubernetes ${this.version} does not serve kind ${object.kind} in ${object.apiVersion}`];
    // ajv compiles each kind's schema on first use and keeps it.
    const validate = this.ajv.getSchema(ref);
    if (!validate) throw new Error(`no schema at ${ref}`);
    const schemaProblems = validate(object) ? [] : (validate.errors ?? []).map((error) => `${label}: ${describe(error)}`);
    return [...schemaProblems, ...apiServerRules(object, label)];
  }
}

function describe(error: ErrorObject): string {
  const at = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') return `${at}: unknown field "${error.params.additionalProperty}"`;
  if (error.keyword === 'required') return `${at}: missing required field "${error.params.missingProperty}"`;
  return `${at}: ${error.message}`;
}

const dnsSubdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dnsLabel = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const labelName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const portName = /^(?=.*[a-z])[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/**
 * The API server's checks that the OpenAPI document cannot express and charts often break: object
 * names, label syntax, port names and numbers.
 */
function apiServerRules(object: Json, label: string): string[] {
  const problems: string[] = [];
  const name: unknown = object.metadata?.name;
  // Services become DNS labels; most other objects take DNS subdomains.
  const nameRule = object.kind === 'Service' ? dnsLabel : dnsSubdomain;
  const nameLimit = object.kind === 'Service' ? 63 : 253;
  if (typeof name !== 'string' || !nameRule.test(name) || name.length > nameLimit) {
    problems.push(`${label}: metadata.name "${String(name)}" is not a valid ${object.kind} name`);
  }
  const labelSets: Array<[string, Json | undefined]> = [
    ['metadata.labels', object.metadata?.labels],
    ['spec.template.metadata.labels', object.spec?.template?.metadata?.labels],
    ['spec.selector.matchLabels', object.spec?.selector?.matchLabels],
  ];
  if (object.kind === 'Service') labelSets.push(['spec.selector', object.spec?.selector]);
  for (const [where, labels] of labelSets) {
    for (const [key, value] of Object.entries(labels ?? {})) {
      if (!isQualifiedName(key)) problems.push(`${label}: ${where} key "${key}" is not a valid label name`);
      if (typeof value !== 'string' || value.length > 63 || !labelValue.test(value)) {
        problems.push(`${label}: ${where}["${key}"] value "${String(value)}" is not a valid label value`);
      }
    }
  }
  const annotationSets: Array<[string, Json | undefined]> = [
    ['metadata.annotations', object.metadata?.annotations],
    ['spec.template.metadata.annotations', object.spec?.template?.metadata?.annotations],
  ];
  for (const [where, annotations] of annotationSets) {
    for (const [key, value] of Object.entries(annotations ?? {})) {
      if (!isQualifiedName(key)) problems.push(`${label}: ${where} key "${key}" is not a valid annotation name`);
      if (typeof value !== 'string') problems.push(`${label}: ${where}["${key}"] is not a string`);
    }
  }
  for (const [where, ports] of portLists(object)) {
    ports.forEach((port, index) => {
      const number = port.containerPort ?? port.port;
      if (typeof number === 'number' && (number < 1 || number > 65535)) problems.push(`${label}: ${where}[${index}] port ${number} is out of range`);
      if (port.name !== undefined && (port.name.length > 15 || !portName.test(port.name))) {
        problems.push(`${label}: ${where}[${index}] name "${port.name}" is not a valid port name (at most 15 lowercase letters, digits and dashes)`);
      }
    });
  }
  return problems;
}

/** A label or annotation key: an optional DNS-subdomain prefix and "/", then a name of up to 63 characters. */
function isQualifiedName(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const [prefix, name] = parts.length === 2 ? parts : [undefined, parts[0]!];
  return name !== undefined && name.length <= 63 && labelName.test(name) && (prefix === undefined || (prefix.length <= 253 && dnsSubdomain.test(prefix)));
}

function portLists(object: Json): Array<[string, Json[]]> {
  if (object.kind === 'Service') return [['spec.ports', object.spec?.ports ?? []]];
  const pod = object.spec?.template?.spec;
  if (!pod) return [];
  return [...(pod.initContainers ?? []), ...(pod.containers ?? [])].map((container: Json) => [
    `container ${container.name} ports`,
    container.ports ?? [],
  ]);
}
