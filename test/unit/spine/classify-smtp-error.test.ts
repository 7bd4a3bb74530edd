import { describe, expect, it } from 'vitest';
import { classifySmtpError } from '../../../src/send/classify-smtp-error.ts';

describe('classifySmtpError', () => {
  it.each([
    [{ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 no such user' }, false],
    [{ code: 'EMESSAGE', responseCode: 552, response: '552 message too big' }, false],
    [{ code: 'EENVELOPE', responseCode: 450, response: '450 4.2.0 greylisted' }, true],
    [{ code: 'EMESSAGE', responseCode: 421, response: '421 try later' }, true],
    [{ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }, true],
    [{ code: 'ETIMEDOUT', message: 'timeout' }, true],
    [{ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }, false],
    [{ code: 'EAUTH', message: 'Invalid login' }, true],
    [{ code: 'EENVELOPE', message: 'No recipients defined' }, false],
    [new Error('something odd'), true],
  ])('%j retry=%s', (err, retry) => {
    expect(classifySmtpError(err).retry).toBe(retry);
  });
});
