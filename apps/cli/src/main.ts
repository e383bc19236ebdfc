#!/usr/bin/env node
import { run } from './program';

process.exitCode = await run(process.argv.slice(2), { streams: { stdout: process.stdout, stderr: process.stderr } });
