import type { Manifest } from './helm.ts';
import { checkInvariants, invariantNames, podTemplates, type InvariantOptions } from './invariants.ts';
import { KubeValidator, type KubeVersion } from './kubernetes.ts';
import { tempoConfigOf, validateTempoConfig } from './tempo-config.ts';

export interface VerifyOptions extends InvariantOptions {
  kubeVersion: KubeVersion;
}

/**
 * Everything wrong with a rendering, three ways: what the Kubernetes API of that version would refuse,
 * what Tempo would refuse in its configuration, and which invariants it breaks. Empty when sound.
 */
export function verifyRendering(documents: Manifest[], options: VerifyOptions): string[] {
  const unknown = (options.allow ?? []).filter((name) => !(invariantNames as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`unknown invariant names: ${unknown.join(', ')} (known: ${invariantNames.join(', ')})`);
  const kubernetes = KubeValidator.for(options.kubeVersion);
  const tempo = podTemplates(documents).flatMap((pod) => {
    const found = tempoConfigOf(pod.spec, documents);
    return found ? validateTempoConfig(found.config).map((problem) => `${pod.owner} Tempo configuration ${problem}`) : [];
  });
  const broken = checkInvariants(documents, { external: options.external });
  const allowed = new Set(options.allow ?? []);
  // An allowance nothing needs is stale, and would hide the next real break of that rule.
  const stale = [...allowed].filter((name) => !broken.some((problem) => problem.startsWith(`[${name}]`)));
  return [
    ...documents.flatMap((doc) => kubernetes.validate(doc)),
    ...tempo,
    ...broken.filter((problem) => ![...allowed].some((name) => problem.startsWith(`[${name}]`))),
    ...stale.map((name) => `[${name}] is allowed to break, but the rendering keeps it: remove the allowance`),
  ];
}
