package service

import (
	"context"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
)

// Changes returns a page of a visible site's change log: what it ran that
// changed, when, and the push and patch run that brought each change when
// known (ENOTFOUND for a site the actor may not see, EINVALID when Since
// is not before Until).
func (s *Modules) Changes(ctx context.Context, siteUUID string, f fleetwatch.SiteChangeFilter) ([]*fleetwatch.SiteChange, int, error) {
	if !f.Since.IsZero() && !f.Until.IsZero() && !f.Since.Before(f.Until) {
		var v fleetwatch.Validation
		v.AddParam("since", "since must be before until")
		return nil, 0, v.Err()
	}
	site, err := s.Sites.Get(ctx, siteUUID)
	if err != nil {
		return nil, 0, err
	}
	f.SiteID = site.ID
	changes, total, err := s.Store.FindSiteChanges(ctx, f)
	if err != nil || len(changes) == 0 {
		return changes, total, err
	}
	runs, err := s.runsAround(ctx, site.ID, changes)
	if err != nil {
		return nil, 0, err
	}
	for _, ch := range changes {
		ch.Type = changeType(ch)
		// runs are newest first: the latest run that brought it.
		for _, r := range runs {
			if r.Brought(ch.Module, ch.ToVersion, ch.At) {
				ch.PatchRunUUID, ch.PatchRunTool, ch.PatchRunStatus = &r.UUID, &r.Tool, &r.Status
				break
			}
		}
	}
	return changes, total, nil
}

// runsAround returns the site's patch runs, newest first, whose window
// (PatchRun.Covers) may hold one of the changes.
func (s *Modules) runsAround(ctx context.Context, siteID int64, changes []*fleetwatch.SiteChange) ([]*fleetwatch.PatchRun, error) {
	first, last := changes[0].At, changes[0].At
	for _, ch := range changes[1:] {
		if ch.At.Before(first) {
			first = ch.At
		}
		if ch.At.After(last) {
			last = ch.At
		}
	}
	f := fleetwatch.PatchRunFilter{
		ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: fleetwatch.MaxPerPage,
			Sort: []fleetwatch.SortField{{Field: "run_date", Desc: true}}},
		SiteID:  siteID,
		RunFrom: first.Add(-fleetwatch.PatchRunReach),
		RunTo:   last.Add(fleetwatch.PatchRunLead),
	}
	var out []*fleetwatch.PatchRun
	for {
		runs, total, err := s.Store.FindPatchRuns(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, runs...)
		if len(runs) == 0 || len(out) >= total {
			return out, nil
		}
		f.Page++
	}
}

// changeType says what kind of change ch is: added, removed, rebuilt (the
// same version, another build), or upgraded or downgraded by drupal.org's
// version order, replaced when either version does not parse.
func changeType(ch *fleetwatch.SiteChange) string {
	switch {
	case ch.FromVersion == "":
		return fleetwatch.ChangeAdded
	case ch.ToVersion == "":
		return fleetwatch.ChangeRemoved
	case ch.FromVersion == ch.ToVersion:
		return fleetwatch.ChangeRebuilt
	}
	from, err1 := drupal.Parse(ch.FromVersion)
	to, err2 := drupal.Parse(ch.ToVersion)
	if err1 != nil || err2 != nil {
		return fleetwatch.ChangeReplaced
	}
	switch c := drupal.Compare(from, to); {
	case c < 0:
		return fleetwatch.ChangeUpgraded
	case c > 0:
		return fleetwatch.ChangeDowngraded
	}
	return fleetwatch.ChangeReplaced
}
