import { readFileSync } from 'node:fs';
import { openDatabase } from '../src/db/orm.ts';
import { CodeCache, searchCodes, lookupCode } from '../src/codes/index.ts';
const st = () => { const s = readFileSync('/proc/self/status', 'utf8'); return `hwm ${/VmHWM:\s+(\d+)/.exec(s)![1] >> 10} rss ${/VmRSS:\s+(\d+)/.exec(s)![1] >> 10}`; };
const orm = await openDatabase({ driver: 'sqlite', path: '/tmp/cd-codes.sqlite' });
const cache = new CodeCache();
await lookupCode(orm.em.fork(), 'M54.5', { cache });
console.log('start', st()); { (globalThis as any).gc?.(); const u = process.memoryUsage(); console.log('start heapUsed', u.heapUsed >> 20, 'heapTotal', u.heapTotal >> 20, 'external', u.external >> 20, 'ab', u.arrayBuffers >> 20); }
const t0 = performance.now();
await searchCodes(orm.em.fork(), 'low back pain', { cache });
console.log('after search', st(), 'build ms', Math.round(performance.now() - t0));
const u = process.memoryUsage(); console.log('heapUsed', u.heapUsed >> 20, 'heapTotal', u.heapTotal >> 20, 'external', u.external >> 20, 'ab', u.arrayBuffers >> 20);
(globalThis as any).gc?.(); const v = process.memoryUsage(); console.log('after gc heapUsed', v.heapUsed >> 20, 'heapTotal', v.heapTotal >> 20, 'external', v.external >> 20, st());
const idx: any = await (await import('../src/codes/search-codes.ts')).searchIndex(orm.em.fork(), cache);
let pb = 0; const bufs = new Set(); for (const v of idx.postings.values()) { bufs.add(v.buffer); } for (const b of bufs) pb += (b as ArrayBuffer).byteLength; console.log('docs', idx.size, 'terms', idx.postings.size, 'postings buffers MB', pb >> 20, 'n buffers', bufs.size);
await orm.close(true);
