#!/usr/bin/env node
// Writes docs/errors.md from the one catalogue of error codes (sdk/src/error-codes.ts; build first: npx tsc -b).
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const repo = resolve(import.meta.dirname, '..');
const { errorCatalogueMarkdown } = createRequire(import.meta.url)(resolve(repo, 'sdk/dist/error-codes.js'));
writeFileSync(resolve(repo, 'docs/errors.md'), errorCatalogueMarkdown());
console.log('wrote docs/errors.md');
