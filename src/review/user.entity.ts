import { EntitySchema, OptionalProps } from '@mikro-orm/core';

export type UserRole = 'consultant' | 'admin';
export const USER_ROLES: readonly UserRole[] = ['consultant', 'admin'];

/** A person who logs in to the review page: a consultant, or an admin (who can also review). */
export class User {
  [OptionalProps]?: 'active' | 'createdAt' | 'lastLoginAt';
  id!: number;
  /** Lower-case email address: the login name and the actor in the audit log. */
  email!: string;
  role!: UserRole;
  /** `scrypt$N$r$p$salt$hash` (base64 salt and hash); never the password itself. */
  passwordHash!: string;
  active = true;
  createdAt: Date = new Date();
  lastLoginAt?: Date | null;
}

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: 'app_user',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    email: { type: 'string', length: 320, unique: true },
    role: { type: 'string', length: 16 },
    passwordHash: { type: 'string', length: 255 },
    active: { type: 'boolean' },
    createdAt: { type: 'datetime' },
    lastLoginAt: { type: 'datetime', nullable: true },
  },
});
