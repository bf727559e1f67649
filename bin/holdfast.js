#!/usr/bin/env node
// holdfast's command line. Runs the TypeScript sources directly on Node 24 (type stripping).
import { main } from '../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
