package fleetwatch

import (
	"context"
	"errors"
	"time"
)

// Kinds of pushed payloads, as audit_logs.kind records them.
const (
	KindInventory    = "inventory"     // POST /ingest/inventory
	KindComposerLock = "composer_lock" // POST /ingest/composer-lock
	KindPatchRun     = "patch_run"     // POST /ingest/patch-runs
)

// Statuses of an audit log: the life of one pushed payload.
const (
	AuditQueued     = "queued"     // stored, waiting for a worker
	AuditProcessing = "processing" // claimed by a worker
	AuditProcessed  = "processed"  // applied
	AuditFailed     = "failed"     // could not be applied; kept with its error, can be retried
	AuditDuplicate  = "duplicate"  // nothing to apply (reserved)
)

// AuditStatuses lists every audit log status.
var AuditStatuses = []string{AuditQueued, AuditProcessing, AuditProcessed, AuditFailed, AuditDuplicate}

// Module sources and types.
const (
	SourceDrupalOrg = "drupal.org"
	SourceCustom    = "custom"
	// SourcePackagist is the source of a PHP library: a composer package
	// that is not a Drupal project, judged against the library advisories
	// (GitHub's and FriendsOfPHP's) instead of a release feed.
	SourcePackagist = "packagist"

	ModuleTypeCore    = "core"
	ModuleTypeModule  = "module"
	ModuleTypeTheme   = "theme"
	ModuleTypeProfile = "profile"
	// ModuleTypeLibrary is the type of every packagist module.
	ModuleTypeLibrary = "library"
)

// ModuleStatusUnknown is the status of a site module that the update analysis
// has not judged yet.
const ModuleStatusUnknown = "unknown"

// AuditLog is one pushed payload: the ingest log and the queue of record.
// Every payload is written here, as received, before it is acknowledged.
type AuditLog struct {
	ID               int64      `json:"-"`
	UUID             string     `json:"id"`
	SiteID           int64      `json:"-"`
	SiteUUID         string     `json:"site_id"`
	OrganizationID   int64      `json:"-"`
	OrganizationUUID string     `json:"organization_id"`
	Kind             string     `json:"kind" enum:"inventory,composer_lock,patch_run"`
	ClientID         string     `json:"client_id" doc:"The snapshot_id or run_id the client chose, if any"`
	Status           string     `json:"status" enum:"queued,processing,processed,failed,duplicate"`
	Attempts         int        `json:"attempts"`
	Error            string     `json:"error"`
	Size             int        `json:"size" doc:"Bytes of the raw payload; 0 once pruned"`
	CollectedAt      *time.Time `json:"collected_at" doc:"When the site collected the inventory, once applied"`
	CreatedAt        time.Time  `json:"created_at"`
	ClaimedAt        *time.Time `json:"claimed_at"`
	ProcessedAt      *time.Time `json:"processed_at"`
	// Data is the raw payload; nil once pruned. Lists do not read it.
	Data []byte `json:"-"`
	// Existing is set by EnqueueAuditLogs when the client id was already
	// stored: UUID is then the original's and nothing was written.
	Existing bool `json:"-"`
	// SnapshotHash is the Snapshot.Hash of an inventory or composer.lock,
	// computed when it was accepted ("" for patch runs and older rows), and
	// SnapshotCollectedAt the collection time its payload gives (nil: its
	// arrival, CreatedAt). A worker compares them with its site's current
	// inventory before decoding the payload.
	SnapshotHash        string     `json:"-"`
	SnapshotCollectedAt *time.Time `json:"-"`
	// KeyID is the site key that pushed the payload (0: a member recorded
	// it). EnqueueAuditLogs stores the log only while that key is valid —
	// not revoked, its site and organization not deleted — checked in the
	// insert itself, and answers EUNAUTHORIZED otherwise: the key that
	// authenticated the push may have been read from a cache.
	KeyID int64 `json:"-"`
}

// AuditLogFilter narrows a list of audit logs.
type AuditLogFilter struct {
	ListOptions
	OrganizationID int64 // 0: all
	SiteID         int64 // 0: all
	Status         string
	Kind           string
}

// AuditLogSortFields are the fields a list of audit logs sorts by.
var AuditLogSortFields = []string{"created_at", "processed_at", "status"}

// Snapshot is a validated inventory, folded to one entry per project, that a
// worker applies to a site.
type Snapshot struct {
	SiteID      int64
	CollectedAt time.Time
	CoreVersion string
	PHPVersion  string
	Profile     string
	// Projects holds one entry per project, sorted by name.
	Projects []SnapshotProject
	// Hash is a digest of everything above but SiteID and CollectedAt: two
	// snapshots with the same hash describe the same installation.
	Hash string
	// Partial marks a snapshot of an undecoded payload: only SiteID,
	// CollectedAt and Hash are set. A store applies it only when it leaves
	// the site's inventory unchanged, and answers ErrSnapshotNotDecoded
	// otherwise.
	Partial bool
}

// InventoryState is a site's current inventory as a worker sees it before
// decoding pushes: its Snapshot.Hash, and when it was collected (nil before
// the first).
type InventoryState struct {
	Hash        string
	CollectedAt *time.Time
}

// ErrSnapshotNotDecoded is a store's answer to a Partial snapshot it cannot
// apply as unchanged: the payload must be decoded and applied whole.
var ErrSnapshotNotDecoded = errors.New("the snapshot's payload must be decoded: it changes the site's inventory")

// SnapshotProject is one project a site runs.
type SnapshotProject struct {
	Name      string // drupal.org project name, or the custom project's name
	Type      string // core, module, theme or profile
	Source    string // drupal.org or custom
	Version   string
	Datestamp int64 // build time of a dev checkout, 0 when unknown
	// Dev marks a library of composer.lock's packages-dev (or an inventory
	// library given dev): it is part of the snapshot (and its hash) but
	// judged like any other, since a dev package deployed is exploitable.
	Dev bool
}

// ModuleChange is one (site, project) whose installed version an applied
// snapshot changed: added (FromVersion ""), upgraded or downgraded, or
// removed (ToVersion "").
type ModuleChange struct {
	SiteID      int64
	ModuleID    int64
	Project     string
	Type        string
	Source      string
	FromVersion string
	ToVersion   string
	// Datestamp is the build time of a dev checkout of ToVersion (unix
	// seconds, 0 when unknown); a new build of the same dev version is a
	// change too.
	Datestamp int64
	// OrganizationID, SiteFirstSeenAt and SiteCoreVersion describe the site
	// as the snapshot leaves it: whose SLA policy applies, when its SLA
	// clocks may start, and the Drupal core the project runs with (empty
	// when the snapshot does not say).
	OrganizationID  int64
	SiteFirstSeenAt *time.Time
	SiteCoreVersion string
}

// ModuleVerdict is the update analysis of one (site, project): what the
// push's analyzer and the feed recompute decide, and what the store writes
// to site_modules with the exposure it opens, in one transaction.
type ModuleVerdict struct {
	SiteID             int64
	ModuleID           int64
	VersionID          int64  // the installed version it was computed for (0: the one a push installs)
	Status             string // current, not_current, not_secure, revoked, not_supported, unknown
	UpdateAvailable    bool
	SecurityUpdate     bool // true exactly when Status is not_secure
	LatestVersion      string
	RecommendedVersion string
	SecurityUpdates    []string // the security releases listed for it (versions)
	Severity           string   // of the worst advisory among the fixes; "" when unknown or none
	AlsoAvailable      []string // newer releases of other branches
	Reasons            []string // the decision in words
	// Fingerprint digests the verdict (AnalysisFingerprint), so that a
	// recompute writes only what changed; the push's verdicts go without.
	Fingerprint string
	// Exposure is the exposure to open when SecurityUpdate is set and none
	// is open: fixed_by, advisories, published date, severity, detection
	// and SLA clock. Nil otherwise.
	Exposure *Exposure
	// SLA is the policy Exposure's clock was computed under: an open
	// exposure whose advisories, fixes or severity changed is timed again
	// under it, from its own detection. Nil: leave the open one as it is.
	SLA *SLAPolicy
	// ExposureOnly marks a verdict whose stored form is unchanged but
	// whose open exposure's Facts are not: only the exposure is written.
	ExposureOnly bool
}

// Analyzer judges the (site, project) rows a snapshot changed. The worker
// calls it inside the transaction that applies the snapshot, with the
// changes of the newest state only (out-of-order snapshots change history,
// never current state). The store writes the verdicts it returns and opens
// and resolves exposures to match, all in that same transaction, so that an
// exposure is open exactly while its row says security_update. Rows it
// returns nothing for stay status unknown. It reads only: it must not write
// to the store itself.
type Analyzer interface {
	Analyze(ctx context.Context, changes []ModuleChange) ([]ModuleVerdict, error)
}

// ApplyResult says what applying one snapshot did.
type ApplyResult struct {
	Unchanged  bool // same hash as the newest applied snapshot: only last_seen_at moved
	OutOfOrder bool // older than the newest applied snapshot: history only
	Changes    []ModuleChange
	// The site the snapshot belongs to.
	OrganizationID int64
	SiteUUID       string
	SiteName       string
	// Exposures opened and resolved by the snapshot, committed with it.
	Exposures ExposureChanges
}

// PatchRun statuses and tools.
const (
	PatchRunSucceeded = "succeeded"
	PatchRunFailed    = "failed"
	PatchRunPartial   = "partial"

	ToolComposer         = "composer"
	ToolDrush            = "drush"
	ToolManual           = "manual"
	ToolAutomaticUpdates = "automatic_updates"
)

// PatchRunChange is one project a patch run changed.
type PatchRunChange struct {
	Name        string `json:"name" doc:"The project"`
	FromVersion string `json:"from_version" required:"false" doc:"Empty for a project the run added"`
	ToVersion   string `json:"to_version" required:"false" doc:"Empty for a project the run removed"`
}

// PatchRun is one round of updates applied to a site.
type PatchRun struct {
	ID               int64            `json:"-"`
	UUID             string           `json:"id"`
	SiteID           int64            `json:"-"`
	SiteUUID         string           `json:"site_id"`
	OrganizationID   int64            `json:"-"`
	OrganizationUUID string           `json:"organization_id"`
	RunDate          time.Time        `json:"run_date"`
	StartedAt        *time.Time       `json:"started_at"`
	FinishedAt       *time.Time       `json:"finished_at"`
	Status           string           `json:"status" enum:"succeeded,failed,partial"`
	Tool             string           `json:"tool" enum:"composer,drush,manual,automatic_updates"`
	Changes          []PatchRunChange `json:"changes"`
	Notes            string           `json:"notes"`
	RecordedBy       int64            `json:"-"`
	RecordedByUUID   *string          `json:"recorded_by" doc:"The user who recorded it; null when a site key pushed it"`
	AuditLogID       int64            `json:"-"`
	AuditLogUUID     *string          `json:"audit_log_id"`
	CreatedAt        time.Time        `json:"created_at"`
}

// PatchRunFilter narrows a list of patch runs.
type PatchRunFilter struct {
	ListOptions
	OrganizationID int64
	SiteID         int64
	Status         string
	Tool           string
	// Runs dated from RunFrom to RunTo, both included (zero: unbounded).
	RunFrom, RunTo time.Time
}

// PatchRunSortFields are the fields a list of patch runs sorts by.
var PatchRunSortFields = []string{"run_date", "created_at", "status", "tool"}

// Module is one project of the catalog, with how many visible sites run it.
type Module struct {
	ID         int64  `json:"-"`
	Name       string `json:"name"`
	DrupalLink string `json:"drupal_link"`
	Type       string `json:"type" enum:"core,module,theme,profile,library"`
	Source     string `json:"source" enum:"drupal.org,custom,packagist"`
	SitesCount int    `json:"sites_count" doc:"Sites you can see that run it"`
	// SecuritySitesCount is how many of them need a security update of it.
	SecuritySitesCount int `json:"security_sites_count" doc:"Of those sites, how many need a security update of it"`
	// Versions lists the installed versions and how many sites run each
	// (single module only).
	Versions []ModuleVersionUsage `json:"versions,omitempty"`
}

// ModuleVersionUsage is one installed version of a project.
type ModuleVersionUsage struct {
	Version    string `json:"version"`
	SitesCount int    `json:"sites_count"`
}

// ModuleFilter narrows the catalog.
type ModuleFilter struct {
	ListOptions
	OrganizationID int64 // 0: every module; else those the organization's sites run
	Type           string
	Source         string
}

// ModuleSortFields are the fields the catalog sorts by.
var ModuleSortFields = []string{"name", "sites_count", "security_sites_count"}

// SiteModule is one project a site runs now.
type SiteModule struct {
	SiteID             int64     `json:"-"`
	SiteUUID           string    `json:"site_id"`
	SiteName           string    `json:"site_name"`
	SiteURL            string    `json:"site_url"`
	OrganizationUUID   string    `json:"organization_id" doc:"The site's organization"`
	Name               string    `json:"name"`
	Type               string    `json:"type" enum:"core,module,theme,profile,library"`
	Source             string    `json:"source" enum:"drupal.org,custom,packagist"`
	DrupalLink         string    `json:"drupal_link"`
	Version            string    `json:"version"`
	Status             string    `json:"status" enum:"current,not_current,not_secure,revoked,not_supported,unknown"`
	UpdateAvailable    bool      `json:"update_available"`
	SecurityUpdate     bool      `json:"security_update"`
	LatestVersion      string    `json:"latest_version"`
	RecommendedVersion string    `json:"recommended_version"`
	SecurityUpdates    []string  `json:"security_updates" doc:"Security releases listed for the installed version"`
	Severity           *string   `json:"severity" enum:"highly_critical,critical,moderately_critical,less_critical,not_critical" doc:"Of the worst advisory among the security updates; null when none or unknown"`
	AlsoAvailable      []string  `json:"also_available" doc:"Newer releases of other branches"`
	Reasons            []string  `json:"reasons" doc:"Why the status is what it is"`
	Datestamp          int64     `json:"datestamp,omitempty" doc:"Build time of a dev checkout, unix seconds"`
	UpdatedAt          time.Time `json:"updated_at"`
}

// SiteModulesStamp identifies the state of one site's module list: every
// transaction that changes the site's modules bumps Generation, and the
// rows of the list also carry the site's name and address. Two reads with
// equal stamps read the same list.
type SiteModulesStamp struct {
	SiteID         int64
	OrganizationID int64
	Generation     int64
	Name           string
	URL            string
}

// SiteModuleFilter narrows the projects of one site, or the sites of one
// project.
type SiteModuleFilter struct {
	ListOptions
	SiteID          int64  // one site's projects
	Module          string // one project's sites
	OrganizationID  int64  // with Module: sites of this organization only (0: all)
	Type            string
	Status          string
	UpdateAvailable *bool
	SecurityUpdate  *bool
}

// SiteModuleSortFields are the fields a list of site modules sorts by.
var SiteModuleSortFields = []string{"name", "status", "updated_at", "site_name"}

// HistoryEntry is the version a site ran of one project during an interval.
type HistoryEntry struct {
	Name      string     `json:"name"`
	Type      string     `json:"type"`
	Source    string     `json:"source"`
	Version   string     `json:"version"`
	Datestamp int64      `json:"datestamp,omitempty" doc:"Build time of a dev checkout, unix seconds"`
	Status    string     `json:"status"`
	ValidFrom time.Time  `json:"valid_from"`
	ValidTo   *time.Time `json:"valid_to" doc:"null while the site still runs it"`
}

// HistoryFilter asks what one site ran at one time.
type HistoryFilter struct {
	ListOptions
	SiteID int64
	At     time.Time
}

// HistorySortFields are the fields a history answer sorts by.
var HistorySortFields = []string{"name", "valid_from"}

// IngestStore is the queue of record and what workers apply to.
type IngestStore interface {
	// EnqueueAuditLogs stores payloads as queued, in one transaction, and
	// fills ID, UUID, Status and CreatedAt. A log whose (SiteID, ClientID)
	// is already stored is not written again: it gets the original's ID,
	// UUID and Status and Existing set.
	EnqueueAuditLogs(ctx context.Context, logs []*AuditLog) error
	// ClaimAuditLogs marks up to n queued logs processing, oldest first, and
	// returns them with their data. Concurrent claimers never get the same row.
	ClaimAuditLogs(ctx context.Context, n int, at time.Time) ([]*AuditLog, error)
	// ApplySnapshot applies an inventory of a claimed log and marks it
	// processed, in one transaction. ECONFLICT when the log is no longer
	// claimed by this claim (the sweeper gave it to another worker).
	ApplySnapshot(ctx context.Context, l *AuditLog, snap *Snapshot, an Analyzer) (*ApplyResult, error)
	// ApplySnapshots is ApplySnapshot for several claimed logs in one
	// transaction, applied in the order given: the logs of one site in id
	// order, the sites in id order. Any error rolls back all of them.
	ApplySnapshots(ctx context.Context, logs []*AuditLog, snaps []*Snapshot, an Analyzer) ([]*ApplyResult, error)
	// ApplyBatchSize is how many snapshots ApplySnapshots should get at
	// once, and ApplyParallelism how many ApplySnapshots may usefully run
	// at once.
	ApplyBatchSize() int
	ApplyParallelism() int
	// InventoryStates returns the current inventory of the sites among
	// ids, by site id, for a worker to find the pushes that repeat it.
	InventoryStates(ctx context.Context, siteIDs []int64) (map[int64]InventoryState, error)
	// ApplyPatchRun records the patch run of a claimed log and marks it
	// processed, in one transaction; ECONFLICT like ApplySnapshot.
	ApplyPatchRun(ctx context.Context, l *AuditLog, pr *PatchRun) error
	// FailAuditLog marks a claimed log failed with the error, or back to
	// queued when requeue is set.
	FailAuditLog(ctx context.Context, l *AuditLog, msg string, requeue bool) error
	// ReleaseAuditLog returns a claimed log to the queue with the error and
	// without counting the attempt: the database failed, not the payload.
	// ECONFLICT when the claim was lost meanwhile.
	ReleaseAuditLog(ctx context.Context, l *AuditLog, msg string) error
	// RequeueStuckAuditLogs returns to the queue the logs claimed before
	// claimedBefore and never finished, and says how many.
	RequeueStuckAuditLogs(ctx context.Context, claimedBefore time.Time) (int, error)
	// PruneAuditLogs drops the raw data of logs processed before
	// processedBefore, at most limit of them; failed logs keep theirs.
	PruneAuditLogs(ctx context.Context, processedBefore time.Time, limit int) (int, error)
	// RetryAuditLog queues a failed log again; ENOTFOUND when unknown,
	// ECONFLICT when it is not failed or its data was pruned.
	RetryAuditLog(ctx context.Context, id int64) (*AuditLog, error)
	// FindAuditLogByUUID returns ENOTFOUND for an unknown log.
	FindAuditLogByUUID(ctx context.Context, uuid string) (*AuditLog, error)
	FindAuditLogs(ctx context.Context, f AuditLogFilter) ([]*AuditLog, int, error)

	// CreatePatchRun records a patch run a user entered.
	CreatePatchRun(ctx context.Context, pr *PatchRun) error
	FindPatchRuns(ctx context.Context, f PatchRunFilter) ([]*PatchRun, int, error)

	// FindModules lists the catalog; FindModule returns ENOTFOUND for a
	// project no site of the organization (any site, for 0) runs.
	FindModules(ctx context.Context, f ModuleFilter) ([]*Module, int, error)
	FindModule(ctx context.Context, name string, organizationID int64) (*Module, error)
	FindSiteModules(ctx context.Context, f SiteModuleFilter) ([]*SiteModule, int, error)
	// FindSiteModulesStamp returns what a page of a visible site's module
	// list depends on besides the page's own parameters; ENOTFOUND for an
	// unknown or deleted site (or one of a deleted organization).
	FindSiteModulesStamp(ctx context.Context, siteUUID string) (*SiteModulesStamp, error)
	FindHistory(ctx context.Context, f HistoryFilter) ([]*HistoryEntry, int, error)
	// FindSiteChanges returns a page of the changes of what one site ran
	// (see SiteChange), without their Type and patch run.
	FindSiteChanges(ctx context.Context, f SiteChangeFilter) ([]*SiteChange, int, error)
}

// Waker wakes ingest workers when payloads were queued. It carries no data:
// the audit_logs row is the record, and workers also poll, so a lost wake-up
// only delays work.
type Waker interface {
	// Wake tells the workers of some node that work is waiting. It does
	// not block on a slow broker for long, and a failure is not fatal.
	Wake(ctx context.Context) error
	// Wakeups delivers a value when this node's workers should look.
	Wakeups() <-chan struct{}
	Close() error
}
