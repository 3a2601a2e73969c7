import { BuildError } from './errors.ts';

/** One entry of Artifact Hub's artifacthub.io/changes annotation. */
export interface Change {
  kind: 'added' | 'changed' | 'deprecated' | 'removed' | 'fixed' | 'security';
  description: string;
}

const kinds: Record<string, Change['kind']> = {
  added: 'added',
  changed: 'changed',
  deprecated: 'deprecated',
  removed: 'removed',
  fixed: 'fixed',
  security: 'security',
};

/**
 * The changes CHANGELOG.md lists for one version ("## [x.y.z] - date", then "### Added" and the like,
 * then "- item" bullets), so Chart.yaml's annotation and the changelog cannot disagree.
 */
export function changesFor(file: string, changelog: string, version: string): Change[] {
  const sections = changelog.split(/^## /m).slice(1);
  const section = sections.find((text) => text.startsWith(`[${version}]`));
  if (!section) throw new BuildError(file, `has no "## [${version}]" section for the version in package.json`);
  const changes: Change[] = [];
  let kind: Change['kind'] | undefined;
  for (const line of section.split('\n')) {
    const heading = /^### (\w+)/.exec(line);
    if (heading) {
      kind = kinds[heading[1]!.toLowerCase()];
      if (!kind) throw new BuildError(file, `[${version}] has an unknown heading "### ${heading[1]}"`);
      continue;
    }
    const bullet = /^- (.+)$/.exec(line);
    if (bullet && kind) changes.push({ kind, description: bullet[1]!.trim() });
    else if (bullet) throw new BuildError(file, `[${version}] has a bullet before any "### Added"-style heading`);
  }
  if (changes.length === 0) throw new BuildError(file, `[${version}] lists no changes`);
  return changes;
}
