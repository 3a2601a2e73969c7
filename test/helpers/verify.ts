import type { Manifest } from './helm.ts';
import { checkInvariants, invariantNames, podTemplates } from './invariants.ts';
import { KubeValidator, type KubeVersion } from './kubernetes.ts';
import { tempoConfigOf, validateTempoConfig } from './tempo-config.ts';

export interface VerifyOptions {
  kubeVersion: KubeVersion;
  /** Invariants the rendering breaks on purpose; an allowance nothing needs is itself a problem. */
  allow?: readonly string[];
  /** Objects the rendering references but does not create, as "Kind/name". */
  external?: readonly string[];
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
  const broken = checkInvariants(documents, options.external);
  const ruleOf = (problem: string) => /^\[(\w+)\]/.exec(problem)![1]!;
  const allowed = new Set(options.allow ?? []);
  // An allowance nothing needs is stale, and would hide the next real break of that rule.
  const stale = [...allowed].filter((name) => !broken.some((problem) => ruleOf(problem) === name));
  return [
    ...documents.flatMap((doc) => kubernetes.validate(doc)),
    ...tempo,
    ...broken.filter((problem) => !allowed.has(ruleOf(problem))),
    ...stale.map((name) => `[${name}] is allowed to break, but the rendering keeps it: remove the allowance`),
  ];
}
