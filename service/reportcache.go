package service

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// DefaultReportCacheTTL bounds how long a cached report is served: reports
// also change with time alone (ages, deadlines), not only with data.
const DefaultReportCacheTTL = time.Minute

// cacheScope is the generation scope of a report: the organization it is
// bounded by, named by its uuid, or the whole fleet. Internal ids are the
// same numbers in every installation; a uuid is this organization's alone.
func (s *Reports) cacheScope(ctx context.Context, sc fleetwatch.ReportScope) (string, error) {
	if sc.OrganizationID == 0 {
		return "fleet", nil
	}
	u, err := s.organizationUUID(ctx, sc.OrganizationID)
	if err != nil {
		return "", err
	}
	return "org:" + u, nil
}

// orgUUIDCache remembers the uuids of organizations, which never change,
// so that each is read once per process. The zero value is ready.
type orgUUIDCache struct{ m sync.Map }

// get returns the uuid of organization id, reading it from store the
// first time.
func (c *orgUUIDCache) get(ctx context.Context, store interface {
	FindOrganizationByID(context.Context, int64) (*fleetwatch.Organization, error)
}, id int64) (string, error) {
	if u, ok := c.m.Load(id); ok {
		return u.(string), nil
	}
	o, err := store.FindOrganizationByID(ctx, id)
	if err != nil {
		return "", err
	}
	c.m.Store(id, o.UUID)
	return o.UUID, nil
}

// organizationUUID returns the uuid of an organization (see orgUUIDCache).
func (s *Reports) organizationUUID(ctx context.Context, id int64) (string, error) {
	return s.orgUUIDs.get(ctx, s.Store, id)
}

// cached answers a report from the cache when nothing it depends on has
// changed, else computes and stores it. Without a cache it computes.
func cached[T any](ctx context.Context, s *Reports, name string, sc fleetwatch.ReportScope, params string, compute func() (T, error)) (T, error) {
	if s.Cache == nil {
		return compute()
	}
	scope, err := s.cacheScope(ctx, sc)
	if err != nil {
		s.logCacheError("scope", err)
		return compute()
	}
	gen, err := s.Cache.Generation(ctx, scope)
	if err != nil {
		s.logCacheError("generation", err)
		return compute()
	}
	minute := func(t time.Time) string { return strconv.FormatInt(t.Unix()/60, 10) }
	key := strings.Join([]string{"report", name, scope, strconv.FormatInt(gen, 10),
		strconv.FormatInt(sc.SiteID, 10), minute(sc.From), minute(sc.To), params}, ":")
	var v T
	if b, ok, err := s.Cache.Get(ctx, key); err != nil {
		s.logCacheError("get", err)
	} else if ok && json.Unmarshal(b, &v) == nil {
		return v, nil
	}
	v, err = compute()
	if err != nil {
		return v, err
	}
	if b, err := json.Marshal(v); err == nil {
		ttl := s.CacheTTL
		if ttl == 0 {
			ttl = DefaultReportCacheTTL
		}
		if err := s.Cache.Set(ctx, key, b, ttl); err != nil {
			s.logCacheError("set", err)
		}
	}
	return v, nil
}

func (s *Reports) logCacheError(op string, err error) {
	if s.Logger != nil {
		s.Logger.Warn("report cache", "op", op, "err", err)
	}
}

// page is a cached page of a list report.
type page[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

func listKey(opts fleetwatch.ListOptions) string {
	var sort []string
	for _, f := range opts.Sort {
		if f.Desc {
			sort = append(sort, "-"+f.Field)
		} else {
			sort = append(sort, f.Field)
		}
	}
	return fmt.Sprintf("%d:%d:%s:%q", opts.Page, opts.PerPage, strings.Join(sort, ","), opts.Q)
}

// Invalidate starts a new generation of the reports of these organizations
// and of the whole fleet: answers computed before are not served again. An
// organization that no longer exists has no reports to invalidate.
func (s *Reports) Invalidate(ctx context.Context, orgIDs ...int64) error {
	if s.Cache == nil {
		return nil
	}
	uuids := make([]string, 0, len(orgIDs))
	for _, id := range orgIDs {
		if id == 0 {
			continue
		}
		u, err := s.organizationUUID(ctx, id)
		if fleetwatch.ErrorCode(err) == fleetwatch.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		uuids = append(uuids, u)
	}
	return s.invalidateUUIDs(ctx, uuids)
}

// invalidateUUIDs is Invalidate of organizations named by their uuids.
func (s *Reports) invalidateUUIDs(ctx context.Context, uuids []string) error {
	scopes := []string{"fleet"}
	for _, u := range uuids {
		scopes = append(scopes, "org:"+u)
	}
	return s.Cache.Bump(ctx, scopes...)
}

// WatchEvents invalidates the reports of an organization whenever one of
// its events is published (a snapshot applied, an exposure opened or closed,
// a patch run recorded), on any replica. Invalidation runs in its own
// goroutine, coalescing bursts, so the event path never waits for it.
func (s *Reports) WatchEvents(bus fleetwatch.EventBus, logger *slog.Logger) (stop func()) {
	if s.Cache == nil {
		return func() {}
	}
	orgs := make(chan int64, 1024)
	quit, done := make(chan struct{}), make(chan struct{})
	cancel := bus.Subscribe(func(e *fleetwatch.Event) {
		select {
		case orgs <- e.OrganizationID:
		default: // full: a bump is already pending for a burst this large
		}
	})
	bump := func(first int64) {
		batch := map[int64]bool{first: true}
		for more := true; more; {
			select {
			case id := <-orgs:
				batch[id] = true
			default:
				more = false
			}
		}
		ids := make([]int64, 0, len(batch))
		for id := range batch {
			ids = append(ids, id)
		}
		if err := s.Invalidate(context.Background(), ids...); err != nil && logger != nil {
			logger.Warn("invalidate reports", "err", err)
		}
	}
	go func() {
		defer close(done)
		for {
			select {
			case id := <-orgs:
				bump(id)
			case <-quit:
				select { // what was published before stop still counts
				case id := <-orgs:
					bump(id)
				default:
				}
				return
			}
		}
	}()
	return func() {
		cancel()
		close(quit)
		<-done
	}
}
