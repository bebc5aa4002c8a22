// `@mappa/sdk/testing`: the conformance suite of each plugin kind and the fakes a plugin author's tests need.
// Runs under vitest (a peer dependency): call a `describe…Conformance` at the top level of a test file.
export { describeCoachConformance, sampleAction, sampleCoachInput, expectValidEvaluation, type CoachConformanceOptions } from './coachConformance.js';
export { describeEnvironmentConformance, agentSpec, type EnvironmentConformanceOptions } from './environmentConformance.js';
export { describePolicyConformance, type PolicyConformanceOptions } from './policyConformance.js';
export { describeSandboxConformance, type SandboxConformanceOptions } from './sandboxConformance.js';
export { describeTrainerConformance, type TrainerConformanceOptions } from './trainerConformance.js';
export { describeTaskSourceConformance, type TaskSourceConformanceOptions } from './taskSourceConformance.js';
export { startFakeServer, chatCompletion, type FakeServer, type FakeHandler, type FakeReply, type FakeRequest } from './fakeOpenAIServer.js';
export { useFakeServer } from './useFakeServer.js';
export { createTestRunContext, testPluginDeps, createPluginInstance, type TestRunContext } from './testRunContext.js';
export { createScriptedPolicy } from '../plugins/policies/scripted/scriptedPolicyPlugin.js';
export { ScriptedPolicy } from '../plugins/policies/scripted/ScriptedPolicy.js';
