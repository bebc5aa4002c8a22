// The package entry (`main`). A pipeline in this package lists `./src/index.ts` under `plugins:`; a project that installed
// the package lists its name, `mappa-plugin-package-example` (a TypeScript entry is compiled on the fly).
export { wordCountEnvironment, WordCountFacts } from './wordCountEnvironment.js';
export { answerFormatCoach } from './answerFormatCoach.js';
export { sentenceTasks } from './sentenceTasks.js';
