// The tests must run on the same Node major version as the Lambda runtime in serverless.yml.
// npm scripts pick up node_modules/.bin/node (the `node` dev dependency); a plain `node` may not.
import { readFileSync } from 'node:fs';

const runtime = /runtime:\s*nodejs(\d+)\.x/.exec(
  readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8'),
);
const wanted = runtime ? Number(runtime[1]) : 24;
const actual = Number(process.versions.node.split('.')[0]);
if (actual !== wanted) {
  console.error(
    `Node ${process.version} is running, but serverless.yml deploys nodejs${wanted}.x. ` +
      'Run through npm (npm test / npm start) so the project-local Node from the `node` dev dependency is used; ' +
      'if it is missing, run `npm ci` without --ignore-scripts.',
  );
  process.exit(1);
}
console.log(`node ${process.version} (Lambda runtime nodejs${wanted}.x)`);
