import type { EntitySchema } from '@mikro-orm/core';
import { SubscriberSchema } from './subscriber.entity.ts';

/** Entities of subscribers and plans. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const subscriberEntities: EntitySchema<any>[] = [SubscriberSchema];
