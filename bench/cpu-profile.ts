/**
 * A V8 CPU profile of this process around one piece of work (`npm run bench -- --profile DIR`):
 * the .cpuprofile file for Chrome DevTools or speedscope, and a summary of where the busy time
 * went, by component: each package under node_modules, each directory of src/ and workers/,
 * Node's own internals, native code (the database drivers' and crypto's C++ among it) and the
 * garbage collector. Self time only: a component's figure is the time spent in its own code.
 */
import { Session } from 'node:inspector/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Runs `work` with the profiler on; writes `<dir>/<name>.cpuprofile`. */
export async function profiled<T>(dir: string, name: string, work: () => Promise<T>): Promise<{ result: T; profile: CpuProfile; file: string }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  // 1 ms between samples (V8's default is 1 ms too, stated so the summary's unit is plain).
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  const stop = async () => {
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: CpuProfile };
    session.disconnect();
    return profile;
  };
  let result: T;
  try {
    result = await work();
  } catch (err) {
    await stop();
    throw err;
  }
  const profile = await stop();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.cpuprofile`);
  writeFileSync(file, JSON.stringify(profile));
  return { result, profile, file };
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** The component a sampled function belongs to (see the module comment). */
export function componentOf(frame: ProfileNode['callFrame']): string {
  if (SPECIAL.has(frame.functionName)) return frame.functionName;
  const url = frame.url;
  if (url === '') return '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  if (url.startsWith('node:')) return 'node (internals)';
  const local = /\/(src|workers|bench|config)\/(?:([^/]+)\/)?.*$/.exec(url);
  if (local) return local[1] === 'src' && local[2] ? `src/${local[2]}` : local[1];
  return url;
}

/**
 * Busy milliseconds by component, largest first, with the total busy (not idle) milliseconds.
 * Native code (a C++ binding: a SQLite statement, a cipher, a socket write) counts for the
 * component that called it, marked "native": `src/db (native)` is mostly SQLite executing
 * statements. The profiler's own work (the inspector serialising the profile) is left out.
 */
export function selfTimeByComponent(profile: CpuProfile): { busyMs: number; components: [string, number][] } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map<number, string | null>();
  const component = (id: number): string | null => {
    const cached = memo.get(id);
    if (cached !== undefined) return cached;
    const frame = byId.get(id)!.callFrame;
    let found: string | null;
    if (frame.url === 'node:inspector') found = null;
    else if (frame.url !== '' || SPECIAL.has(frame.functionName)) found = componentOf(frame);
    else {
      // A native frame: its nearest JavaScript caller's component, marked once.
      const up = parent.get(id);
      const caller = up === undefined ? '(root)' : component(up);
      if (caller === null || caller.endsWith('(native)')) found = caller;
      else found = caller === '(root)' ? '(native)' : `${caller} (native)`;
    }
    memo.set(id, found);
    return found;
  };
  const by = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const name = component(id);
    if (name === null || name === '(idle)') return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    busy += ms;
    by.set(name, (by.get(name) ?? 0) + ms);
  });
  return { busyMs: busy, components: [...by].sort((a, b) => b[1] - a[1]) };
}

/**
 * The summary as lines, one column a run (e.g. encryption on and off): each component's busy
 * ms a message, the `top` largest of the first run, and its share of that run's busy time.
 */
export function profileSummary(runs: { label: string; profile: CpuProfile; messages: number }[], top = 16): string[] {
  const sums = runs.map((r) => ({ ...selfTimeByComponent(r.profile), messages: r.messages }));
  const per = (i: number, name: string) => ((new Map(sums[i].components).get(name) ?? 0) / sums[i].messages).toFixed(3).padStart(7);
  const lines = [
    `busy ms a message of this process's main thread, self time by component (${runs.map((r) => r.label).join(' / ')}):`,
    `  ${runs.map((_, i) => (sums[i].busyMs / sums[i].messages).toFixed(3).padStart(7)).join(' ')}  100.0 %  all`,
  ];
  for (const [name, ms] of sums[0].components.slice(0, top)) {
    lines.push(`  ${runs.map((_, i) => per(i, name)).join(' ')}  ${((100 * ms) / sums[0].busyMs).toFixed(1).padStart(5)} %  ${name}`);
  }
  return lines;
}
