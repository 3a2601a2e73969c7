/** A build failure that names the file (and, where it helps, the place in it) that caused it. */
export class BuildError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'BuildError';
  }
}
