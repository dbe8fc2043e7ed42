import packageJson from '../../package.json' with { type: 'json' };

/** The package's version, as `--version` prints it (bundled from package.json at build time). */
export const VERSION: string = packageJson.version;
