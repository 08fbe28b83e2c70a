#!/usr/bin/env node
/**
 * The `gatehouse` operator CLI (package.json "bin"; `npx --no gatehouse ...` in a checkout, `gatehouse`
 * in the container). See docs/operations.md.
 */
import 'reflect-metadata';
import { run } from './program.js';

const status = await run(process.argv);
// Everything was closed by the command; exit now rather than wait for a straggling timer.
process.exit(status);
