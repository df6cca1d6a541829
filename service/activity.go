package service

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/fleetwatch/fleetwatch"
)

// ActivityStore is what Activity needs of the database: the activity trail.
// The fleetwatch store interfaces document each method and its errors.
type ActivityStore interface {
	CreateActivity(ctx context.Context, a *fleetwatch.ActivityLog) error
	FindActivity(ctx context.Context, f fleetwatch.ActivityFilter) ([]*fleetwatch.ActivityLog, int, error)
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
}

// Activity records and lists the trail of who did what.
type Activity struct {
	Store  ActivityStore
	Logger *slog.Logger
}

// Record writes one entry for the request's actor. A failure is logged, not
// returned: the action it describes has already happened.
func (s *Activity) Record(ctx context.Context, action, targetType, targetUUID string, orgID int64, details map[string]any) {
	a := fleetwatch.ActorFromContext(ctx)
	entry := &fleetwatch.ActivityLog{Action: action, TargetType: targetType, TargetUUID: targetUUID, OrganizationID: orgID}
	if a != nil {
		entry.UserID = a.UserID
		entry.RemoteAddr = a.RemoteAddr
	}
	s.write(ctx, entry, details)
}

// RecordFor writes one entry on behalf of a user who is not (yet) the actor,
// such as a login attempt.
func (s *Activity) RecordFor(ctx context.Context, userID, orgID int64, remoteAddr, action string, details map[string]any) {
	s.write(ctx, &fleetwatch.ActivityLog{UserID: userID, OrganizationID: orgID, RemoteAddr: remoteAddr, Action: action, TargetType: "user"}, details)
}

func (s *Activity) write(ctx context.Context, entry *fleetwatch.ActivityLog, details map[string]any) {
	if details != nil {
		b, _ := json.Marshal(details)
		entry.Details = string(b)
	}
	if err := s.Store.CreateActivity(context.WithoutCancel(ctx), entry); err != nil {
		s.Logger.Error("record activity", "action", entry.Action, "err", err)
	}
}

// List returns the activity trail the actor may see: all for an admin, their
// organization's for an org admin.
func (s *Activity) List(ctx context.Context, f fleetwatch.ActivityFilter, orgUUID string) ([]*fleetwatch.ActivityLog, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if !a.Can(fleetwatch.RoleOrgAdmin) {
		return nil, 0, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only organization admins read the activity trail.")
	}
	orgID, visible, err := resolveOrgFilter(ctx, s.Store, a, orgUUID)
	if err != nil || !visible {
		return nil, 0, err
	}
	f.OrganizationID = orgID
	return s.Store.FindActivity(ctx, f)
}
