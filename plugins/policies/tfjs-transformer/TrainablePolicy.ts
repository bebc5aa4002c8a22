// The contract lives in core (trainers depend on it, not on this policy); kept here for existing imports.
export { isTrainablePolicy, type FrozenModel, type TrainablePolicy } from '../../../core/contracts/TrainablePolicy.js';
