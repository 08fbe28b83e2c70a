import { removeTempDirs } from './temp-dirs.js';

// Every test file (unit and e2e) removes the temporary directories it made, whatever its outcome.
afterAll(removeTempDirs);
