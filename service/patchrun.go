package service

import (
	"context"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// PatchRunsStore is what PatchRuns needs of the database: patch runs. The
// fleetwatch store interfaces document each method and its errors.
type PatchRunsStore interface {
	CreatePatchRun(ctx context.Context, pr *fleetwatch.PatchRun) error
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	FindPatchRuns(ctx context.Context, f fleetwatch.PatchRunFilter) ([]*fleetwatch.PatchRun, int, error)
}

// PatchRuns lists the updates applied to sites and records the ones members
// enter by hand. Sites push theirs through Ingest.
type PatchRuns struct {
	Store    PatchRunsStore
	Sites    *Sites
	Activity *Activity
	// Events, when set, receives patch_run.recorded once a patch run is stored.
	Events fleetwatch.EventPublisher
	Now    func() time.Time
}

// List returns the patch runs the actor may see; siteUUID narrows to one
// visible site.
func (s *PatchRuns) List(ctx context.Context, f fleetwatch.PatchRunFilter, orgUUID, siteUUID string) ([]*fleetwatch.PatchRun, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if siteUUID != "" {
		site, err := s.Sites.Get(ctx, siteUUID)
		if err != nil {
			return nil, 0, err
		}
		f.SiteID = site.ID
	}
	orgID, visible, err := resolveOrgFilter(ctx, s.Store, a, orgUUID)
	if err != nil || !visible {
		return []*fleetwatch.PatchRun{}, 0, err
	}
	f.OrganizationID = orgID
	return s.Store.FindPatchRuns(ctx, f)
}

// Record stores a patch run a member entered for a visible site; the tool
// defaults to manual.
func (s *PatchRuns) Record(ctx context.Context, siteUUID string, in PatchRunPayload) (*fleetwatch.PatchRun, error) {
	site, err := s.Sites.Get(ctx, siteUUID)
	if err != nil {
		return nil, err
	}
	a := fleetwatch.ActorFromContext(ctx)
	if !a.Can(fleetwatch.RoleMember) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Viewers cannot record patch runs.")
	}
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	pr, _, err := checkPatchRun(in, site.ID, now, fleetwatch.ToolManual)
	if err != nil {
		return nil, err
	}
	pr.RecordedBy = a.UserID
	if err := s.Store.CreatePatchRun(ctx, pr); err != nil {
		return nil, err
	}
	if s.Activity != nil {
		s.Activity.Record(ctx, "patch_run.recorded", "patch_run", pr.UUID, site.OrganizationID, map[string]any{"site_id": site.UUID})
	}
	if s.Events != nil {
		publishPatchRun(ctx, s.Events, pr)
	}
	return pr, nil
}
