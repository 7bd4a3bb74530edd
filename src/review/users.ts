import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import { appendAudit } from '../audit/audit-chain-store.ts';
import { User, USER_ROLES, type UserRole } from './user.entity.ts';

/** scrypt cost: N=2^15, r=8, p=1 (~32 MB, ~50 ms): OWASP's minimum for scrypt. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;
const KEY_LENGTH = 32;
export const MIN_PASSWORD_LENGTH = 10;

function scrypt(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scryptCb(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

/** `scrypt$N$r$p$salt$hash` of a password, with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { ...SCRYPT, maxmem: 128 * SCRYPT.N * SCRYPT.r * 2 });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Whether a password matches a stored hash (constant-time compare; a malformed hash never matches). */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const N = Number(n);
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N, r: Number(r), p: Number(p), maxmem: 128 * N * Number(r) * 2 });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A password fit to store: at least 10 characters, not only spaces. */
export function checkPassword(password: string): void {
  if (password.trim() === '') throw new ValidationError('the password is empty');
  if (password.length < MIN_PASSWORD_LENGTH) throw new ValidationError(`the password must be at least ${MIN_PASSWORD_LENGTH} characters`);
}

function normalizeEmail(email: string): string {
  const e = email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e)) throw new ValidationError(`"${email.trim()}" is not an email address`);
  return e;
}

export interface UserView {
  id: number;
  email: string;
  role: UserRole;
  active: boolean;
  createdAt: string;
  lastLoginAt: string | null;
}

const viewOf = (u: User): UserView => ({
  id: u.id, email: u.email, role: u.role, active: u.active, createdAt: new Date(u.createdAt).toISOString(), lastLoginAt: u.lastLoginAt ? new Date(u.lastLoginAt).toISOString() : null,
});

/**
 * Add a consultant or admin (or reactivate a removed one with a new password and role).
 * The password is stored as an scrypt hash only.
 */
export async function addUser(em: EntityManager, input: { email: string; role: string; password: string; actor?: string }): Promise<UserView> {
  const email = normalizeEmail(input.email);
  if (!USER_ROLES.includes(input.role as UserRole)) throw new ValidationError(`role must be one of ${USER_ROLES.join(', ')}`);
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  const existing = await em.findOne(User, { email });
  if (existing?.active) throw new ConflictError(`user ${email} already exists`);
  const user = existing ?? em.create(User, { email, role: input.role as UserRole, passwordHash });
  Object.assign(user, { role: input.role, passwordHash, active: true });
  await em.flush();
  await appendAudit(em, { actor: input.actor ?? 'cli', action: 'user.add', details: { email, role: input.role } });
  return viewOf(user);
}

/** Active users (or all, with removed ones), by email. */
export async function listUsers(em: EntityManager, options: { includeInactive?: boolean } = {}): Promise<UserView[]> {
  const rows = await em.find(User, options.includeInactive ? {} : { active: true }, { orderBy: { email: 'asc' } });
  return rows.map(viewOf);
}

/** Deactivate a user; their sessions stop working on the next request (the session lookup checks `active`). */
export async function removeUser(em: EntityManager, emailInput: string, actor = 'cli'): Promise<UserView> {
  const email = normalizeEmail(emailInput);
  const user = await em.findOne(User, { email, active: true });
  if (!user) throw new NotFoundError(`no active user ${email}`);
  user.active = false;
  await em.flush();
  await appendAudit(em, { actor, action: 'user.remove', details: { email } });
  return viewOf(user);
}

/**
 * A hash to compare against when the user does not exist, so a wrong email costs as long as a
 * wrong password: the same scrypt cost as a real hash; its key (all zeros) matches no password.
 */
const DUMMY_HASH = ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, Buffer.alloc(16).toString('base64'), Buffer.alloc(KEY_LENGTH).toString('base64')].join('$');

/**
 * Check a login. Returns the user, or null for an unknown/inactive email or a wrong password
 * (the caller says the same thing in both cases). Records the login time.
 */
export async function authenticate(em: EntityManager, emailInput: string, password: string): Promise<UserView | null> {
  const email = emailInput.trim().toLowerCase();
  const user = await em.findOne(User, { email, active: true });
  if (!user) {
    await verifyPassword(password, DUMMY_HASH);
    return null;
  }
  if (!(await verifyPassword(password, user.passwordHash))) return null;
  user.lastLoginAt = new Date();
  await em.flush();
  return viewOf(user);
}

/** The active user behind a session, or null. */
export async function findActiveUser(em: EntityManager, id: number): Promise<UserView | null> {
  const user = await em.findOne(User, { id, active: true });
  return user ? viewOf(user) : null;
}
