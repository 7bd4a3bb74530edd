/** The suggestion's port bound to one EntityManager (see src/drafts/code-port.ts). */
export { suggestPortFor } from '../code-port.ts';
