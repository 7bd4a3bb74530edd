import type { EntitySchema } from '@mikro-orm/core';

/** Entities of subscribers and plans. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const subscriberEntities: EntitySchema<any>[] = [];
