import { helmBinary, helmReleases } from '../../tools/helm.ts';

/** Extracts both helm binaries once, before the test files start using them in parallel. */
export default function setup(): void {
  for (const release of helmReleases) helmBinary(release);
}
