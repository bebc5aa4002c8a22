// The chain-arith environment's contract with coaches: the facts it puts in every coach input's `extras`
// (`ChainArithFacts`) and the stage arithmetic a coach needs to judge one action the way the environment grades the
// chain. Coaches import this module only, never the environment's other files (test/layering.test.ts checks it).
export { chainArithFacts, type ChainArithFacts } from './chainArithTask.js';
export { applyStage, parseChainValue } from './chainArithmetic.js';
