package service

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
)

// Client ids are stored with their kind, so that a run_id never collides
// with a snapshot_id.
const (
	snapshotIDPrefix = "snapshot:"
	runIDPrefix      = "run:"
)

// Accepted is the answer to a push: the audit log that records it.
type Accepted struct {
	ID        string `json:"id" doc:"The audit log of this push"`
	Status    string `json:"status" doc:"queued, or the original's status for a repeated snapshot_id/run_id"`
	Duplicate bool   `json:"duplicate" doc:"True when the snapshot_id/run_id was pushed before: nothing new was stored"`
}

// IngestStore is what Ingest needs of the database: the queue of record. The
// fleetwatch store interfaces document each method and its errors.
type IngestStore interface {
	EnqueueAuditLogs(ctx context.Context, logs []*fleetwatch.AuditLog) error
	FindAuditLogByUUID(ctx context.Context, uuid string) (*fleetwatch.AuditLog, error)
	FindAuditLogs(ctx context.Context, f fleetwatch.AuditLogFilter) ([]*fleetwatch.AuditLog, int, error)
	FindOrganizationByUUID(ctx context.Context, uuid string) (*fleetwatch.Organization, error)
	RetryAuditLog(ctx context.Context, id int64) (*fleetwatch.AuditLog, error)
}

// Ingest accepts what sites push: it validates a payload, stores it in the
// audit_logs queue of record, and wakes the workers. It never applies a
// payload itself.
type Ingest struct {
	Store IngestStore
	// Sites resolves the site an audit log list is narrowed to.
	Sites  *Sites
	Waker  fleetwatch.Waker // nil: workers find the payload when they poll
	Logger *slog.Logger
	Now    func() time.Time

	// inbox batches the inserts of concurrent pushes into one transaction.
	inbox *Inbox
	once  sync.Once
}

func (s *Ingest) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// siteActor returns the actor of a site key.
func siteActor(ctx context.Context) (*fleetwatch.Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if a.SiteID == 0 {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Only a site key (fwk_…) may push for a site.")
	}
	return a, nil
}

// AcceptInventory validates an inventory and queues it.
func (s *Ingest) AcceptInventory(ctx context.Context, body []byte) (*Accepted, error) {
	a, err := siteActor(ctx)
	if err != nil {
		return nil, err
	}
	snapshotID, hash, collected, err := ValidateInventory(body, s.now())
	if err != nil {
		return nil, err
	}
	return s.enqueue(ctx, &fleetwatch.AuditLog{SiteID: a.SiteID, Kind: fleetwatch.KindInventory, SnapshotHash: hash, SnapshotCollectedAt: collected},
		snapshotIDPrefix, snapshotID, body)
}

// AcceptComposerLock validates a composer.lock and queues it; snapshotID is
// optional.
func (s *Ingest) AcceptComposerLock(ctx context.Context, body []byte, snapshotID string) (*Accepted, error) {
	a, err := siteActor(ctx)
	if err != nil {
		return nil, err
	}
	var v fleetwatch.Validation
	checkToken(&v, "", "snapshot_id", snapshotID, false, 100)
	if err := v.Err(); err != nil {
		return nil, err
	}
	snap, err := ParseComposerLockPayload(body, a.SiteID, s.now())
	if err != nil {
		return nil, err
	}
	// What is stored is what the inventory needs: not the packages' dist
	// and source URLs, which can carry deploy credentials.
	if body, err = drupal.StripComposerURLs(body); err != nil {
		return nil, fleetwatch.Errorf(fleetwatch.EINVALID, "The body is not a valid composer.lock.")
	}
	return s.enqueue(ctx, &fleetwatch.AuditLog{SiteID: a.SiteID, Kind: fleetwatch.KindComposerLock, SnapshotHash: snap.Hash},
		snapshotIDPrefix, snapshotID, body)
}

// AcceptPatchRun validates a patch run a site pushed and queues it.
func (s *Ingest) AcceptPatchRun(ctx context.Context, body []byte) (*Accepted, error) {
	a, err := siteActor(ctx)
	if err != nil {
		return nil, err
	}
	_, runID, err := ParsePatchRun(body, a.SiteID, s.now(), fleetwatch.ToolComposer)
	if err != nil {
		return nil, err
	}
	return s.enqueue(ctx, &fleetwatch.AuditLog{SiteID: a.SiteID, Kind: fleetwatch.KindPatchRun}, runIDPrefix, runID, body)
}

// enqueue stores l, a push of body, in the queue of record.
func (s *Ingest) enqueue(ctx context.Context, l *fleetwatch.AuditLog, prefix, clientID string, body []byte) (*Accepted, error) {
	l.Data = append([]byte(nil), body...)
	if a := fleetwatch.ActorFromContext(ctx); a != nil {
		l.KeyID = a.APIKeyID
	}
	if clientID != "" {
		l.ClientID = prefix + clientID
	}
	s.once.Do(func() {
		if s.inbox == nil {
			s.inbox = NewInbox(s.Store, 0, 0)
		}
	})
	if err := s.inbox.Add(ctx, l); err != nil {
		return nil, err
	}
	if !l.Existing && s.Waker != nil {
		if err := s.Waker.Wake(ctx); err != nil && s.Logger != nil {
			// The row is stored; a poll picks it up.
			s.Logger.WarnContext(ctx, "wake ingest workers", "err", err)
		}
	}
	return &Accepted{ID: l.UUID, Status: l.Status, Duplicate: l.Existing}, nil
}

// SetInbox replaces the batcher of inserts (tests, tuning).
func (s *Ingest) SetInbox(in *Inbox) { s.inbox = in }

// Close stops the inbox once the HTTP server stopped sending pushes.
func (s *Ingest) Close() {
	if s.inbox != nil {
		s.inbox.Close()
	}
}

// ListAuditLogs returns the ingest log the actor may see.
func (s *Ingest) ListAuditLogs(ctx context.Context, f fleetwatch.AuditLogFilter, orgUUID, siteUUID string) ([]*fleetwatch.AuditLog, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	orgID, visible, err := resolveOrgFilter(ctx, s.Store, a, orgUUID)
	if err != nil || !visible {
		return []*fleetwatch.AuditLog{}, 0, err
	}
	f.OrganizationID = orgID
	if siteUUID != "" {
		site, err := s.Sites.Get(ctx, siteUUID)
		if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
			return []*fleetwatch.AuditLog{}, 0, nil
		} else if err != nil {
			return nil, 0, err
		}
		f.SiteID = site.ID
	}
	return s.Store.FindAuditLogs(ctx, f)
}

// GetAuditLog returns one entry of the ingest log.
func (s *Ingest) GetAuditLog(ctx context.Context, uuid string) (*fleetwatch.AuditLog, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	l, err := s.Store.FindAuditLogByUUID(ctx, uuid)
	if err != nil {
		return nil, err
	}
	if !a.IsAdmin() && l.OrganizationID != a.OrganizationID {
		return nil, fleetwatch.Errorf(fleetwatch.ENOTFOUND, "Audit log not found.")
	}
	return l, nil
}

// RetryAuditLog queues a failed payload again; members and above.
func (s *Ingest) RetryAuditLog(ctx context.Context, uuid string) (*fleetwatch.AuditLog, error) {
	l, err := s.GetAuditLog(ctx, uuid)
	if err != nil {
		return nil, err
	}
	if !fleetwatch.ActorFromContext(ctx).Can(fleetwatch.RoleMember) {
		return nil, fleetwatch.Errorf(fleetwatch.EFORBIDDEN, "Viewers cannot retry payloads.")
	}
	l, err = s.Store.RetryAuditLog(ctx, l.ID)
	if err != nil {
		return nil, err
	}
	if s.Waker != nil {
		_ = s.Waker.Wake(ctx) // a poll picks it up otherwise
	}
	return l, nil
}
