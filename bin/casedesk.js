#!/usr/bin/env node
// The `casedesk` command: runs the TypeScript sources through tsx's loader,
// so there is no build step between a checkout and a working command.
import { register } from 'tsx/esm/api';

register();
await import('../workers/cli.ts');
