import { isDeepStrictEqual } from 'node:util';
import type { Manifest } from './helm.ts';

/**
 * Fields of a StatefulSet's spec that an update may change; Kubernetes refuses a change to any other.
 * (apps/v1 StatefulSet validation.)
 */
const statefulSetMutable = new Set(['replicas', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds', 'ordinals']);

/**
 * The changes between two renderings of one release that `helm upgrade` cannot apply, because the API
 * server refuses to change the field in place: workload selectors, a StatefulSet's serviceName and
 * volumeClaimTemplates (everything but the fields above), a PVC's spec (but a larger storage request),
 * a Job's template, a Service's clusterIP, an immutable ConfigMap's or Secret's data. One line each.
 */
export function immutableFieldChanges(before: Manifest[], after: Manifest[]): string[] {
  const changes: string[] = [];
  for (const old of before) {
    const now = after.find((doc) => doc.kind === old.kind && doc.metadata.name === old.metadata.name && doc.metadata.namespace === old.metadata.namespace);
    if (!now) continue;
    const id = `${old.kind}/${old.metadata.name}`;
    const compare = (field: string, was: unknown, is: unknown) => {
      if (!isDeepStrictEqual(was, is)) changes.push(`${id}: ${field} changes from ${JSON.stringify(was)} to ${JSON.stringify(is)}`);
    };
    switch (old.kind) {
      case 'Deployment':
      case 'ReplicaSet':
      case 'DaemonSet':
        compare('spec.selector', old.spec?.selector, now.spec?.selector);
        break;
      case 'StatefulSet':
        for (const field of new Set([...Object.keys(old.spec ?? {}), ...Object.keys(now.spec ?? {})])) {
          if (!statefulSetMutable.has(field)) compare(`spec.${field}`, old.spec?.[field], now.spec?.[field]);
        }
        break;
      case 'PersistentVolumeClaim': {
        const withoutStorage = (spec: Manifest) => ({ ...spec, resources: { ...spec?.resources, requests: { ...spec?.resources?.requests, storage: undefined } } });
        compare('spec (other than a larger storage request)', withoutStorage(old.spec), withoutStorage(now.spec));
        break;
      }
      case 'Job':
        compare('spec.template', old.spec?.template, now.spec?.template);
        compare('spec.selector', old.spec?.selector, now.spec?.selector);
        break;
      case 'Service':
        if (old.spec?.clusterIP !== undefined) compare('spec.clusterIP', old.spec.clusterIP, now.spec?.clusterIP);
        break;
      case 'ConfigMap':
      case 'Secret':
        if (old.immutable === true) compare('data', [old.data, old.binaryData, old.stringData], [now.data, now.binaryData, now.stringData]);
        break;
    }
  }
  return changes;
}
