#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx's loader, so a fresh clone
// needs only `npm ci` (no build step) before `npx podnet ...`.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
