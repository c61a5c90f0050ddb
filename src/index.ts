export { run } from './cli/run';
export { loadSpec, loadSpecText } from './pipeline/load';
export { compileSpec } from './compile';
export { buildPlan } from './ir/build';
