/** `npm run api-examples`: refreshes src/api/openapi-examples.json (see api-examples.ts). */
import { writeFileSync } from 'node:fs';
import { collectApiExamples, EXAMPLES_FILE } from './api-examples.js';

const examples = await collectApiExamples();
writeFileSync(EXAMPLES_FILE, `${JSON.stringify(examples, null, 2)}\n`);
const count = Object.values(examples).reduce((n, byStatus) => n + Object.keys(byStatus).length, 0);
console.log(
  `wrote ${count} examples of ${Object.keys(examples).length} routes to ${EXAMPLES_FILE}`,
);
