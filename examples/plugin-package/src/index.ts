// The package entry: `plugins: [mappa-plugin-package-example]` in a pipeline loads all three.
export { wordCountEnvironment, WordCountFacts } from './wordCountEnvironment.js';
export { answerFormatCoach } from './answerFormatCoach.js';
export { sentenceTasks } from './sentenceTasks.js';
