package service

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/fleetwatch/fleetwatch"
)

// maxAttempts is how often a payload whose application failed for a reason
// other than its content (a database error) is tried before it is failed.
const maxAttempts = 3

// WorkerStore is what a Worker needs of the database: the queue of record's
// claims, the application of what was claimed, and the queue's upkeep. The
// fleetwatch store interfaces document each method and its errors.
type WorkerStore interface {
	ClaimAuditLogs(ctx context.Context, n int, at time.Time) ([]*fleetwatch.AuditLog, error)
	InventoryStates(ctx context.Context, siteIDs []int64) (map[int64]fleetwatch.InventoryState, error)
	ApplySnapshot(ctx context.Context, l *fleetwatch.AuditLog, snap *fleetwatch.Snapshot, an fleetwatch.Analyzer) (*fleetwatch.ApplyResult, error)
	ApplySnapshots(ctx context.Context, logs []*fleetwatch.AuditLog, snaps []*fleetwatch.Snapshot, an fleetwatch.Analyzer) ([]*fleetwatch.ApplyResult, error)
	ApplyBatchSize() int
	ApplyParallelism() int
	ApplyPatchRun(ctx context.Context, l *fleetwatch.AuditLog, pr *fleetwatch.PatchRun) error
	FailAuditLog(ctx context.Context, l *fleetwatch.AuditLog, msg string, requeue bool) error
	ReleaseAuditLog(ctx context.Context, l *fleetwatch.AuditLog, msg string) error
	RequeueStuckAuditLogs(ctx context.Context, claimedBefore time.Time) (int, error)
	PruneAuditLogs(ctx context.Context, processedBefore time.Time, limit int) (int, error)
}

// Worker applies queued payloads: it claims rows of audit_logs, applies each
// in one transaction that also marks it processed, and marks the ones that
// cannot be applied failed with their error. Besides the workers it runs the
// sweeper, which returns rows stuck in processing (a worker or replica died)
// to the queue, and the pruner, which drops the raw data of processed rows
// after the retention. Any number of Workers, in any number of processes,
// may share one database: each payload is applied once.
type Worker struct {
	Store    WorkerStore
	Waker    fleetwatch.Waker    // nil: poll only
	Analyzer fleetwatch.Analyzer // nil: site modules stay status unknown
	Logger   *slog.Logger

	Concurrency  int           // goroutines that apply payloads; 0: 2; negative: none (an API-only replica)
	BatchSize    int           // rows claimed at once; default 64
	PollInterval time.Duration // how often idle workers look anyway; default 1s
	StuckAfter   time.Duration // a claim older than this is abandoned; default 5m
	Retention    time.Duration // raw payloads of processed rows are kept this long; 0: forever
	// ApplyDelay holds each claimed payload this long before applying it.
	// It exists for the crash tests, which kill a server mid-processing.
	ApplyDelay time.Duration
	// Events, when set, receives snapshot.processed, patch_run.recorded,
	// exposure.opened and exposure.resolved after each payload's
	// transaction committed. A failed publish never fails the payload.
	Events fleetwatch.EventPublisher
	// OnApplied, when set, is called after each payload was applied (for
	// metrics); res is nil for patch runs. The groups of a claim are
	// applied concurrently, so it must be safe for concurrent use.
	OnApplied func(l *fleetwatch.AuditLog, res *fleetwatch.ApplyResult)
	Now       func() time.Time

	kick chan struct{}
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) defaults() {
	if w.Concurrency == 0 {
		w.Concurrency = 2
	}
	if w.BatchSize < 1 {
		w.BatchSize = 64
	}
	if w.PollInterval <= 0 {
		w.PollInterval = time.Second
	}
	if w.StuckAfter <= 0 {
		w.StuckAfter = 5 * time.Minute
	}
	if w.Logger == nil {
		w.Logger = slog.New(slog.DiscardHandler)
	}
	w.kick = make(chan struct{}, 1)
}

// Run works until ctx ends, then finishes the payloads it claimed (drains)
// and returns.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	loops := max(w.Concurrency, 0)
	if w.ApplyDelay == 0 && loops > 1 {
		// One claimer: it applies each claim with Concurrency transactions
		// over disjoint sets of sites (applyBatches). Several claimers take
		// consecutive claims, which hold the same sites whenever a site
		// pushes more than once in a while, and then wait for each other's
		// site locks.
		loops = 1
	}
	var wg sync.WaitGroup
	for range loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.loop(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.sweep(ctx)
	}()
	wg.Wait()
}

func (w *Worker) loop(ctx context.Context) {
	var wakeups <-chan struct{}
	if w.Waker != nil {
		wakeups = w.Waker.Wakeups()
	}
	poll := time.NewTicker(w.PollInterval)
	defer poll.Stop()
	for {
		n := w.RunOnce(ctx)
		if n == w.BatchSize {
			// More may wait: wake a sibling and go on.
			select {
			case w.kick <- struct{}{}:
			default:
			}
			if ctx.Err() == nil {
				continue
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wakeups:
		case <-w.kick:
		case <-poll.C:
		}
	}
}

// RunOnce claims one batch and applies it; it returns how many rows it
// claimed. The batch is finished even when ctx ends meanwhile.
func (w *Worker) RunOnce(ctx context.Context) int {
	if w.kick == nil {
		w.defaults()
	}
	if ctx.Err() != nil {
		return 0
	}
	logs, err := w.Store.ClaimAuditLogs(ctx, w.BatchSize, w.now())
	if err != nil {
		if ctx.Err() == nil {
			w.Logger.Error("claim payloads", "err", err)
		}
		return 0
	}
	// Claimed work is finished, not abandoned, on shutdown.
	work := context.WithoutCancel(ctx)
	claimed := len(logs)
	if w.ApplyDelay == 0 && len(logs) > 1 {
		logs = w.applyBatches(work, logs)
	}
	for _, l := range logs {
		if w.ApplyDelay > 0 {
			time.Sleep(w.ApplyDelay)
		}
		w.apply(work, l)
	}
	return claimed
}

// repeats returns the logs among logs (in id order) that repeat their
// site's current inventory by the hash computed when they were accepted,
// collected no earlier than it: those apply as unchanged without decoding
// their payload (Snapshot.Partial). A site's logs count only up to its
// first that does not repeat it (after that one applies, its inventory is
// another). On a read error none do, and every payload is decoded.
func (w *Worker) repeats(ctx context.Context, logs []*fleetwatch.AuditLog) map[*fleetwatch.AuditLog]*fleetwatch.Snapshot {
	var ids []int64
	seen := map[int64]bool{}
	for _, l := range logs {
		if l.SnapshotHash != "" && l.Data != nil && !seen[l.SiteID] {
			seen[l.SiteID] = true
			ids = append(ids, l.SiteID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	states, err := w.Store.InventoryStates(ctx, ids)
	if err != nil {
		w.Logger.Warn("read sites' inventory hashes; decoding every payload", "err", err)
		return nil
	}
	out := map[*fleetwatch.AuditLog]*fleetwatch.Snapshot{}
	stopped := map[int64]bool{}
	for _, l := range logs {
		if stopped[l.SiteID] || (l.Kind != fleetwatch.KindInventory && l.Kind != fleetwatch.KindComposerLock) {
			continue
		}
		st, ok := states[l.SiteID]
		collected := l.CreatedAt
		if l.SnapshotCollectedAt != nil {
			collected = *l.SnapshotCollectedAt
		}
		collected = collected.UTC().Truncate(time.Microsecond) // as stored
		if !ok || l.SnapshotHash == "" || l.Data == nil || st.Hash != l.SnapshotHash || (st.CollectedAt != nil && collected.Before(*st.CollectedAt)) {
			stopped[l.SiteID] = true
			continue
		}
		out[l] = &fleetwatch.Snapshot{SiteID: l.SiteID, CollectedAt: collected, Hash: l.SnapshotHash, Partial: true}
		st.CollectedAt = &collected
		states[l.SiteID] = st
	}
	return out
}

// applyBatches applies the valid inventories among logs in transactions of
// several payloads each — one commit for many, the claim guard checked for
// each — and returns the logs left for apply: patch runs, payloads that do
// not parse, and the payloads of a batch that failed (applied one by one
// then, so that one bad payload fails alone). Events are published after
// each batch committed.
func (w *Worker) applyBatches(ctx context.Context, logs []*fleetwatch.AuditLog) []*fleetwatch.AuditLog {
	var rest, batch []*fleetwatch.AuditLog
	snaps := w.repeats(ctx, logs)
	if snaps == nil {
		snaps = map[*fleetwatch.AuditLog]*fleetwatch.Snapshot{}
	}
	for _, l := range logs {
		var snap *fleetwatch.Snapshot
		var err error
		switch {
		case snaps[l] != nil:
			batch = append(batch, l)
			continue
		case l.Data == nil:
			err = errors.New("pruned")
		case l.Kind == fleetwatch.KindInventory:
			snap, _, err = ParseInventory(l.Data, l.SiteID, l.CreatedAt)
		case l.Kind == fleetwatch.KindComposerLock:
			snap, err = ParseComposerLockPayload(l.Data, l.SiteID, l.CreatedAt)
		default:
			err = errors.New("not a snapshot")
		}
		if err != nil {
			rest = append(rest, l)
			continue
		}
		snaps[l] = snap
		batch = append(batch, l)
	}
	// Sites in id order (the logs of each in id order): concurrent workers
	// then take the sites' row locks in the same order.
	slices.SortStableFunc(batch, func(x, y *fleetwatch.AuditLog) int {
		if c := cmp.Compare(x.SiteID, y.SiteID); c != 0 {
			return c
		}
		return cmp.Compare(x.ID, y.ID)
	})
	// Sites go to Concurrency groups, whole and in id order, applied by
	// concurrent transactions that never wait for each other's site locks.
	n := max(1, min(w.Concurrency, w.Store.ApplyParallelism()))
	groups := make([][]*fleetwatch.AuditLog, n)
	for i := 0; i < len(batch); {
		j := i + 1
		for j < len(batch) && batch[j].SiteID == batch[i].SiteID {
			j++
		}
		g := 0
		for k := range groups {
			if len(groups[k]) < len(groups[g]) {
				g = k
			}
		}
		groups[g] = append(groups[g], batch[i:j]...)
		i = j
	}
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, group := range groups {
		if len(group) == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			left := w.applyGroup(ctx, group, snaps)
			mu.Lock()
			rest = append(rest, left...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.SortFunc(rest, func(x, y *fleetwatch.AuditLog) int { return cmp.Compare(x.ID, y.ID) })
	return rest
}

// applyGroup applies logs (sorted by site and id) in transactions of
// ApplyBatchSize payloads and returns those left for apply.
func (w *Worker) applyGroup(ctx context.Context, batch []*fleetwatch.AuditLog, snaps map[*fleetwatch.AuditLog]*fleetwatch.Snapshot) []*fleetwatch.AuditLog {
	var rest []*fleetwatch.AuditLog
	size := max(1, w.Store.ApplyBatchSize())
	for len(batch) > 0 {
		part := batch[:min(size, len(batch))]
		batch = batch[len(part):]
		if len(part) == 1 {
			rest = append(rest, part...)
			continue
		}
		ss := make([]*fleetwatch.Snapshot, len(part))
		for i, l := range part {
			ss[i] = snaps[l]
		}
		start := time.Now()
		tctx, cancel := context.WithTimeout(ctx, time.Minute)
		results, err := w.applySnapshots(tctx, part, ss)
		if err != nil {
			cancel()
			level := slog.LevelWarn
			if errors.Is(err, fleetwatch.ErrSnapshotNotDecoded) {
				level = slog.LevelDebug // a site's inventory changed since repeats looked: rare, and handled
			}
			w.Logger.Log(ctx, level, "batch apply failed; applying one by one", "count", len(part), "err", err)
			rest = append(rest, part...)
			continue
		}
		w.Logger.Debug("payloads applied", "count", len(part), "ms", time.Since(start).Milliseconds())
		for i, l := range part {
			w.publish(tctx, l, results[i], nil)
			if w.OnApplied != nil {
				w.OnApplied(l, results[i])
			}
		}
		cancel()
	}
	return rest
}

// applySnapshots is ApplySnapshots, turning a panic into an error.
func (w *Worker) applySnapshots(ctx context.Context, logs []*fleetwatch.AuditLog, snaps []*fleetwatch.Snapshot) (res []*fleetwatch.ApplyResult, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic while applying payloads: %v", p)
		}
	}()
	return w.Store.ApplySnapshots(ctx, logs, snaps, w.Analyzer)
}

// apply applies one claimed payload and records the outcome.
func (w *Worker) apply(ctx context.Context, l *fleetwatch.AuditLog) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	start := time.Now()
	res, pr, err := w.applyPayload(ctx, l)
	switch {
	case err == nil:
		w.Logger.Debug("payload applied", "audit_log", l.UUID, "kind", l.Kind, "ms", time.Since(start).Milliseconds())
		w.publish(ctx, l, res, pr)
		if w.OnApplied != nil {
			w.OnApplied(l, res)
		}
		return
	case fleetwatch.ErrorCode(err) == fleetwatch.ECONFLICT:
		// The sweeper gave it to another worker; that one applies it.
		w.Logger.Warn("payload claim lost", "audit_log", l.UUID)
		return
	}
	code := fleetwatch.ErrorCode(err)
	if code == fleetwatch.EUNAVAILABLE || code == fleetwatch.ESTORAGEFULL {
		// An unreachable or full database is no fault of the payload: it
		// goes back to the queue, its attempt not counted. When the
		// database cannot take even that, the claim stays until the
		// sweeper returns it.
		w.Logger.Warn("database outage while applying a payload; queued again", "audit_log", l.UUID, "kind", l.Kind, "err", err)
		if err := w.Store.ReleaseAuditLog(ctx, l, fleetwatch.ErrorMessage(err)); err != nil && fleetwatch.ErrorCode(err) != fleetwatch.ECONFLICT {
			w.Logger.Error("queue payload again", "audit_log", l.UUID, "err", err)
		}
		return
	}
	requeue := code == fleetwatch.EINTERNAL && l.Attempts < maxAttempts
	msg := fleetwatch.ErrorMessage(err)
	if code == fleetwatch.EINTERNAL {
		msg = "internal error while applying the payload; retry it once the cause is fixed"
		w.Logger.Error("apply payload", "audit_log", l.UUID, "kind", l.Kind, "attempt", l.Attempts, "requeue", requeue, "err", err)
	} else {
		w.Logger.Warn("payload rejected", "audit_log", l.UUID, "kind", l.Kind, "reason", msg)
	}
	if err := w.Store.FailAuditLog(ctx, l, msg, requeue); err != nil && fleetwatch.ErrorCode(err) != fleetwatch.ECONFLICT {
		w.Logger.Error("record payload failure", "audit_log", l.UUID, "err", err)
	}
}

// publish announces what a committed payload did.
func (w *Worker) publish(ctx context.Context, l *fleetwatch.AuditLog, res *fleetwatch.ApplyResult, pr *fleetwatch.PatchRun) {
	if w.Events == nil {
		return
	}
	switch {
	case res != nil:
		publish(ctx, w.Events, fleetwatch.EventSnapshotProcessed, res.OrganizationID, fleetwatch.SnapshotEventData{
			SiteID: res.SiteUUID, SiteName: res.SiteName, AuditLogID: l.UUID, Changes: len(res.Changes), Unchanged: res.Unchanged})
		publishExposureChanges(ctx, w.Events, res.Exposures)
	case pr != nil:
		publishPatchRun(ctx, w.Events, pr)
	}
}

// publishPatchRun publishes patch_run.recorded for a committed patch run.
func publishPatchRun(ctx context.Context, pub fleetwatch.EventPublisher, pr *fleetwatch.PatchRun) {
	publish(ctx, pub, fleetwatch.EventPatchRunRecorded, pr.OrganizationID, fleetwatch.PatchRunEventData{
		PatchRunID: pr.UUID, SiteID: pr.SiteUUID, Status: pr.Status, Tool: pr.Tool, Changes: len(pr.Changes)})
}

// applyPayload applies a claimed payload: an inventory (res) or a patch
// run (pr).
func (w *Worker) applyPayload(ctx context.Context, l *fleetwatch.AuditLog) (res *fleetwatch.ApplyResult, pr *fleetwatch.PatchRun, err error) {
	defer func() {
		// A payload must never stop the worker.
		if p := recover(); p != nil {
			w.Logger.Error("panic while applying payload", "audit_log", l.UUID, "panic", p)
			err = errors.New("panic while applying payload")
		}
	}()
	if l.Data == nil {
		return nil, nil, fleetwatch.Errorf(fleetwatch.EINVALID, "The payload's data is gone (pruned).")
	}
	switch l.Kind {
	case fleetwatch.KindInventory:
		snap, _, err := ParseInventory(l.Data, l.SiteID, l.CreatedAt)
		if err != nil {
			return nil, nil, err
		}
		res, err := w.Store.ApplySnapshot(ctx, l, snap, w.Analyzer)
		return res, nil, err
	case fleetwatch.KindComposerLock:
		snap, err := ParseComposerLockPayload(l.Data, l.SiteID, l.CreatedAt)
		if err != nil {
			return nil, nil, err
		}
		res, err := w.Store.ApplySnapshot(ctx, l, snap, w.Analyzer)
		return res, nil, err
	case fleetwatch.KindPatchRun:
		pr, _, err := ParsePatchRun(l.Data, l.SiteID, l.CreatedAt, fleetwatch.ToolComposer)
		if err != nil {
			return nil, nil, err
		}
		if err := w.Store.ApplyPatchRun(ctx, l, pr); err != nil {
			return nil, nil, err
		}
		return nil, pr, nil
	}
	return nil, nil, fleetwatch.Errorf(fleetwatch.EINVALID, "Unknown payload kind %q.", l.Kind)
}

// sweep requeues stuck claims and prunes old payloads until ctx ends.
func (w *Worker) sweep(ctx context.Context) {
	every := max(w.StuckAfter/4, 100*time.Millisecond)
	t := time.NewTicker(every)
	defer t.Stop()
	lastPrune := time.Time{}
	for {
		if n, err := w.Store.RequeueStuckAuditLogs(ctx, w.now().Add(-w.StuckAfter)); err != nil {
			if ctx.Err() == nil {
				w.Logger.Error("requeue stuck payloads", "err", err)
			}
		} else if n > 0 {
			w.Logger.Warn("requeued payloads whose worker stopped", "count", n)
			select {
			case w.kick <- struct{}{}:
			default:
			}
		}
		if w.Retention > 0 && time.Since(lastPrune) > time.Hour {
			lastPrune = time.Now()
			w.Prune(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Prune drops the raw data of processed payloads older than the retention,
// in chunks, and returns how many it pruned.
func (w *Worker) Prune(ctx context.Context) int {
	total := 0
	for ctx.Err() == nil {
		n, err := w.Store.PruneAuditLogs(ctx, w.now().Add(-w.Retention), 1000)
		if err != nil {
			if ctx.Err() == nil && w.Logger != nil {
				w.Logger.Error("prune payloads", "err", err)
			}
			break
		}
		total += n
		if n < 1000 {
			break
		}
	}
	if total > 0 && w.Logger != nil {
		w.Logger.Info("pruned processed payloads", "count", total)
	}
	return total
}
