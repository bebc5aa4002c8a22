// Runs the CLI from sources in a child process (tests of a fresh process).
import 'reflect-metadata';
import { main } from '../../cli/main.js';

process.exitCode = await main(process.argv.slice(2));
