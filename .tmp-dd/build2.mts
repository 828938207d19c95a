import { buildWeb } from '/work/main/src/web/build.ts';
await buildWeb('/tmp/webout', { minify: false });
