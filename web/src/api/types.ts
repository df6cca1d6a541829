// Names for the generated OpenAPI schemas. Shapes of routes that are not in
// the OpenAPI document yet (reports, exposures, site inventory…) are written
// by hand in the feature that uses them, and read defensively.
import type { components } from './schema';

type S = components['schemas'];

export type Site = S['Site'];
export type User = S['User'];
export type Organization = S['Organization'];
export type APIKey = S['APIKey'];
export type CreatedAPIKey = S['CreatedAPIKey'];
export type ActivityLog = S['ActivityLog'];
export type LoginAnswer = S['LoginAnswer'];
export type TOTPSetup = S['TOTPSetup'];
export type BackupCodes = S['BackupCodes'];
export type Meta = S['Meta'];
export type Links = S['Links'];
export type ErrorObject = S['ErrorObject'];
export type UserBody = S['UserBody'];
export type OrganizationBody = S['OrganizationBody'];
export type SiteBody = S['SiteBody'];
export type IdentityProvider = S['IdentityProvider'];
export type IdentityProviderInput = S['IdentityProviderInput'];
export type GroupMappingInput = S['GroupMappingInput'];
export type SignInOption = S['SignInOption'];
export type SignOut = S['SignOut'];
export type SignInPolicy = S['SignInPolicy'];
export type Role = 'admin' | 'org_admin' | 'member' | 'viewer';

/** One resource: `{data, meta, links}`. */
export interface One<T> {
  data: T;
  meta?: Partial<Meta>;
  links?: Partial<Links>;
}

/** A page of a list: `{data: [...], meta: {total, page, per_page}, links}`. */
export interface Page<T> {
  data: T[];
  meta: Meta;
  links?: Partial<Links>;
}
