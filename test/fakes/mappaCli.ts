// Runs the CLI from the sources (tests spawn it as `node --import tsx test/fakes/mappaCli.ts ...`).
import { main } from '../../cli/main.js';

process.exitCode = await main(process.argv.slice(2));
