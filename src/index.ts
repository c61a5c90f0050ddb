export { run } from './cli/run';
export { loadSpec, loadSpecText } from './spec/load';
export { compileSpec } from './compile';
export { buildPlan } from './plan/build';
