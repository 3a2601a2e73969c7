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

/** The heading of the section where changes gather until the next release. */
export const unreleased = 'Unreleased';

/**
 * The changes CHANGELOG.md lists under one heading, a version or Unreleased ("## [x.y.z] - date",
 * then "### Added" and the like, then "- item" bullets), so Chart.yaml's annotation and the changelog
 * cannot disagree.
 */
export function changesFor(file: string, changelog: string, version: string): Change[] {
  const section = sectionOf(changelog, version);
  if (section === undefined) throw new BuildError(file, `has no "## [${version}]" section${version === unreleased ? '' : ' for the version in package.json'}`);
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

/**
 * The changelog with its Unreleased changes filed under "## [version] - date", and a new, empty
 * Unreleased section above them.
 */
export function releaseChangelog(file: string, changelog: string, version: string, date: string): string {
  changesFor(file, changelog, unreleased);
  if (sectionOf(changelog, version) !== undefined) throw new BuildError(file, `already has a "## [${version}]" section`);
  return changelog.replace(/^## \[Unreleased\].*$/m, `## [${unreleased}]\n\n## [${version}] - ${date}`);
}

function sectionOf(changelog: string, heading: string): string | undefined {
  return changelog
    .split(/^## /m)
    .slice(1)
    .find((text) => text.startsWith(`[${heading}]`));
}
