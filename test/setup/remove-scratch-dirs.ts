import { afterAll } from 'vitest';
import { removeScratchDirs } from '../support/scratch.js';

// Every folder a test file made in $TMPDIR goes when the file is done, whether it passed or not.
afterAll(removeScratchDirs);
