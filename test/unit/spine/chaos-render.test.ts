import { describe, expect, it } from 'vitest';
import { renderDelivery } from '../../../scripts/chaos/load.ts';
import type { Delivery } from '../../../scripts/chaos/mail.ts';

const corpus = (raw: string): Delivery => ({ n: 386, kind: 'automatic', from: null, fromName: '', subscriber: null, messageId: '', subject: '', text: '', headers: {}, corpus: { path: 'x.eml', raw: Buffer.from(raw) } });

describe('chaos harness: corpus messages as delivered', () => {
  it('drops the mbox "From " separator of a saved message, so its headers stay headers under the added one', () => {
    const out = renderDelivery(corpus('From MAILER-DAEMON  Mon Sep 20 19:29:27 2021\nReturn-Path: <>\nAuto-Submitted: auto-replied\n\nbody\n')).toString();
    expect(out).toBe('X-Chaos-Delivery: 386\nReturn-Path: <>\nAuto-Submitted: auto-replied\n\nbody\n');
  });

  it('keeps a message without a separator whole, with its own line ends', () => {
    const out = renderDelivery(corpus('From: a@b.test\r\nSubject: s\r\n\r\nbody\r\n')).toString();
    expect(out).toBe('X-Chaos-Delivery: 386\r\nFrom: a@b.test\r\nSubject: s\r\n\r\nbody\r\n');
  });
});
