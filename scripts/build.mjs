// Builds one self-contained ESM bundle per action, plus the CLI, with esbuild.
//   node scripts/build.mjs            -> dist/
//   node scripts/build.mjs --out DIR  -> DIR/ (the dist freshness test builds into a temp dir)
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';
import { readFile, rm, mkdir } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const outFlag = process.argv.indexOf('--out');
const outdir = outFlag > 0 ? resolve(process.argv[outFlag + 1]) : join(root, 'dist');
const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));

/**
 * Entry points: the CLI, and every action's `src/actions/<name>/index.ts` (plus `post.ts` for actions
 * with a post step) -> dist/<name>/index.js (post.js). Every action folder's action.yml points at these.
 */
export const ENTRIES = { cli: 'src/cli/index.ts' };
for (const name of readdirSync(join(root, 'src', 'actions')).sort()) {
  for (const step of ['index', 'post']) {
    const entry = `src/actions/${name}/${step}.ts`;
    if (existsSync(join(root, entry))) ENTRIES[step === 'index' ? name : `${name}/post`] = entry;
  }
}

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });
for (const [name, entry] of Object.entries(ENTRIES)) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: join(outdir, name.endsWith('/post') ? `${name}.js` : join(name, 'index.js')),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    charset: 'utf8',
    legalComments: 'none',
    logLevel: 'warning',
    define: { __REFIT_VERSION__: JSON.stringify(pkg.version) },
    // Native addons stay out of the bundle: ssh2 (and its cpu-features) load them inside try/catch and fall back to pure JS.
    external: ['*.node'],
    // Bundled CommonJS dependencies call require() for Node built-ins; give ESM one.
    // …and __dirname, which some (ssh2) read at load time.
    banner: {
      js:
        "import { createRequire as __refitCreateRequire } from 'node:module';\nconst require = __refitCreateRequire(import.meta.url);\n" +
        "import { dirname as __refitDirname } from 'node:path';\nimport { fileURLToPath as __refitFileURLToPath } from 'node:url';\nconst __dirname = __refitDirname(__refitFileURLToPath(import.meta.url));",
    },
  });
}
