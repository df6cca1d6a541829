// Names for the generated OpenAPI schemas (schema.d.ts, `npm run gen:api`).
// Every server shape the dashboard reads or sends is one of these: a field
// the dashboard needs is added to the API, never written here by hand.
import type { components, operations } from './schema';

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
export type Role = User['role'];

export type Exposure = S['Exposure'];
export type Severity = Exposure['severity'];
export type Acceptance = S['Acceptance'];
export type AcceptBody = S['AcceptInputBody'];
export type SecurityUpdateRow = S['SecurityUpdateRow'];
export type SiteRiskRow = S['SiteRiskRow'];
export type SummaryReport = S['SummaryReport'];
export type TrendRow = S['TrendRow'];
export type ComplianceRow = S['ComplianceRow'];
export type SiteModule = S['SiteModule'];
export type Module = S['Module'];
export type HistoryEntry = S['HistoryEntry'];
export type SiteChange = S['SiteChange'];
export type PatchRun = S['PatchRun'];
export type NotificationDelivery = S['NotificationDelivery'];
export type NotificationPreferences = S['NotificationPreferences'];
export type NotificationChannel = S['NotificationChannel'];
export type WebhookChannel = S['WebhookChannel'];
export type NotificationChannels = S['NotificationChannels'];
export type NotificationTest = S['NotificationTest'];
export type SLAPolicy = S['SLAPolicy'];
export type SLAPolicyBody = S['SLAPolicyBody'];
export type SLADeadlineDays = S['SLADeadlineDays'];
export type ClockStart = SLAPolicy['clock_start'];
export type IntegrationKeyBody = S['CreateIntegrationKeyInputBody'];
export type PasswordBody = S['PasswordInputBody'];
export type LoginBody = S['LoginInputBody'];
export type MfaBody = S['MfaInputBody'];
export type EventTicket = S['EventTicket'];

/** The query parameters of an operation of the OpenAPI document, by its id. */
export type QueryOf<Op extends keyof operations> = NonNullable<
  operations[Op]['parameters']['query']
>;

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
