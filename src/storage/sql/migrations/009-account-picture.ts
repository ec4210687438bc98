import type { Migration } from './index.ts';

// The profile picture (OIDC Core §5.1 `picture`): an https URL the person
// chose, or null. Existing accounts have none.
export const accountPicture: Migration = {
  id: '009-account-picture',
  statements: [`alter table accounts add column picture text`],
};
