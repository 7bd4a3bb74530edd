import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/**
 * A subscription: one email address (`coder@clinic.example`) or a whole domain (`@clinic.example`),
 * on a plan that gives a monthly question quota. Removal deactivates the row, so cases that
 * counted against it keep a valid `subscriberId`; adding the pattern again reactivates it.
 */
export class Subscriber {
  [OptionalProps]?: 'active' | 'createdAt' | 'updatedAt';
  id!: number;
  /** Lower-case email address, or `@domain` for everyone at that domain. */
  pattern!: string;
  /** A plan name from config PLANS (`trial`, `standard`, `pro`). */
  plan!: string;
  active = true;
  createdAt: Date = new Date();
  updatedAt: Date = new Date();
}

export const SubscriberSchema = new EntitySchema<Subscriber>({
  class: Subscriber,
  tableName: 'subscriber',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    pattern: { type: 'string', length: 320, unique: true },
    plan: { type: 'string', length: 64 },
    active: { type: 'boolean' },
    createdAt: { type: 'datetime' },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});
