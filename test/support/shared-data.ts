import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The official code-set files (../shared/data beside the repository; never copied into it).
 * CI has them there; a clone elsewhere does not, and the tests that read them are skipped
 * rather than failing in their set-up. A worktree one level deeper finds them two levels up.
 */
const ROOT = resolve(import.meta.dirname, '..', '..');
export const SHARED_DATA = [resolve(ROOT, '..', 'shared', 'data'), resolve(ROOT, '..', '..', 'shared', 'data')].find((d) => existsSync(d)) ?? resolve(ROOT, '..', 'shared', 'data');
export const HAVE_SHARED_DATA = existsSync(SHARED_DATA);
