#!/usr/bin/env node
// Print the artifact URI of the champion in a Refit registry document read from standard input
// (e.g. `git show origin/refit-state:.refit/taxi-tip/registry.json | node champion-uri.mjs`).
// Exits 1 with a message when the registry has no champion yet: promote a first version.
import { readFileSync } from 'node:fs';

const registry = JSON.parse(readFileSync(0, 'utf8'));
const champion = registry.versions?.find((v) => v.version === registry.aliases?.champion);
if (!champion) {
  console.error(`::error::the registry of ${registry.model ?? 'this model'} has no champion yet: promote a first version (refit promote, see the README)`);
  process.exit(1);
}
process.stdout.write(champion.artifact.uri);
