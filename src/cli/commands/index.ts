/** Every command, one file each. */
import type { Command } from 'commander';
import type { Io } from '../../io/io';
import * as connector from './connector';
import * as dashboard from './dashboard';
import * as demo from './demo';
import * as deploy from './deploy';
import * as doctor from './doctor';
import * as generate from './generate';
import * as init from './init';
import * as plan from './plan';
import * as produce from './produce';
import * as schema from './schema';
import * as stack from './stack';
import * as status from './status';
import * as stop from './stop';
import * as validate from './validate';
import * as verify from './verify';

export type Register = (program: Command, io: Io, done: (code: number) => void) => void;

export const COMMANDS: readonly Register[] = [
  init.register,
  validate.register,
  schema.register,
  generate.register,
  plan.register,
  deploy.register,
  status.register,
  stop.register,
  stack.register,
  connector.register,
  verify.register,
  doctor.register,
  produce.register,
  dashboard.register,
  demo.register,
];
