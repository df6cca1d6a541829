package fleetwatch

import "time"

// Kinds of SiteChange.
const (
	ChangeAdded      = "added"      // the site did not run the project before
	ChangeUpgraded   = "upgraded"   // to a later version
	ChangeDowngraded = "downgraded" // to an earlier version
	ChangeRebuilt    = "rebuilt"    // the same dev version, another build
	ChangeReplaced   = "replaced"   // to a version that does not compare with the one before
	ChangeRemoved    = "removed"    // the site no longer runs the project
)

// SiteChange is one change of what a site ran: a project added, moved to
// another version or build, or removed, at the collection time of the
// inventory that reported it. A feed change that only restates a status
// is not a change of what the site ran. The push that reported it is
// known while its audit log is kept; the patch run that brought it when a
// run of the site installed that version within PatchRunLead before or
// PatchRunReach after it (see PatchRun.Brought).
type SiteChange struct {
	ID             int64     `json:"-"`
	At             time.Time `json:"at" doc:"When the site ran it from: the collected_at of the inventory that reported it"`
	Module         string    `json:"module" doc:"The project"`
	ModuleType     string    `json:"module_type" enum:"core,module,theme,profile,library"`
	Type           string    `json:"type" enum:"added,upgraded,downgraded,rebuilt,replaced,removed"`
	FromVersion    string    `json:"from_version" doc:"Empty when added"`
	ToVersion      string    `json:"to_version" doc:"Empty when removed"`
	FromDatestamp  int64     `json:"-"`
	ToDatestamp    int64     `json:"-"`
	AuditLogUUID   *string   `json:"audit_log_id" doc:"The push that reported the change; null once its audit log is gone"`
	AuditLogKind   *string   `json:"audit_log_kind" enum:"inventory,composer_lock"`
	PatchRunUUID   *string   `json:"patch_run_id" doc:"The patch run that brought the change; null when none is known"`
	PatchRunTool   *string   `json:"patch_run_tool" enum:"composer,drush,manual,automatic_updates"`
	PatchRunStatus *string   `json:"patch_run_status" enum:"succeeded,failed,partial"`
}

// SiteChangeFilter narrows the change log of one site.
type SiteChangeFilter struct {
	ListOptions
	SiteID int64
	Module string    // one project
	Since  time.Time // changes at or after; zero: from the first
	Until  time.Time // changes before; zero: to now
}

// SiteChangeSortFields are the fields a change log sorts by.
var SiteChangeSortFields = []string{"at", "module"}

// A patch run brought a change of its site when the change reports the
// version the run installed of that project, from PatchRunLead before the
// run (the push that reports it may come first) until PatchRunReach after
// it (the push may come days later).
const (
	PatchRunLead  = time.Hour
	PatchRunReach = 7 * 24 * time.Hour
)

// Covers reports whether a change at at falls in the window of the run.
func (p *PatchRun) Covers(at time.Time) bool {
	return !at.Before(p.RunDate.Add(-PatchRunLead)) && at.Before(p.RunDate.Add(PatchRunReach))
}

// Brought reports whether the run brought the change of project to
// version toVersion (empty: removed) at at: it lists that change and at is
// in its window.
func (p *PatchRun) Brought(project, toVersion string, at time.Time) bool {
	if !p.Covers(at) {
		return false
	}
	for _, c := range p.Changes {
		if c.Name == project && c.ToVersion == toVersion {
			return true
		}
	}
	return false
}
