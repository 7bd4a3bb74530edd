import { EntitySchema, OptionalProps } from '@mikro-orm/core';

/**
 * A consultant's plain-language description of a code ("common language description"), shown
 * beside the official descriptor. One per code, independent of releases: it describes the code,
 * not one version of its text.
 */
export class CodeDescription {
  [OptionalProps]?: 'updatedAt';
  id!: number;
  code!: string;
  text!: string;
  author?: string | null;
  updatedAt: Date = new Date();
}

export const CodeDescriptionSchema = new EntitySchema<CodeDescription>({
  class: CodeDescription,
  tableName: 'code_description',
  properties: {
    id: { type: 'integer', primary: true, autoincrement: true },
    code: { type: 'string', length: 8, unique: true },
    text: { type: 'text' },
    author: { type: 'string', length: 320, nullable: true },
    updatedAt: { type: 'datetime', onUpdate: () => new Date() },
  },
});
