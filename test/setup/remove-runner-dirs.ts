import { afterAll } from 'vitest';
import { removeRunnerDirs } from '../support/runner.js';

afterAll(removeRunnerDirs);
