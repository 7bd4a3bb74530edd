import { writePtpRelease } from '../bench/ncci-synthetic.ts';
await writePtpRelease('/tmp/cd-ncci-small', 'ccipra-v320r0', { rows: 300_000, variant: 'base', quarter: '20260101' });
await writePtpRelease('/tmp/cd-ncci-small', 'ccipra-v321r0', { rows: 300_000, variant: 'update', quarter: '20260401' });
