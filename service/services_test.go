package service_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/memory"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/sqlstore/sqlstoretest"
)

// noFeeds is a feed source with nothing to fetch.
type noFeeds struct{}

func (noFeeds) FetchFeed(context.Context, string, string, string) (*fleetwatch.FeedResponse, error) {
	return nil, fleetwatch.ErrFeedInvalid
}

func (noFeeds) FetchAdvisories(context.Context) ([]*fleetwatch.Advisory, error) { return nil, nil }

func TestNew(t *testing.T) {
	store := sqlstoretest.MustOpen(t, sqlstoretest.SQLite)
	deps := service.Deps{Store: store, Secret: []byte("test-secret-key-test-secret-key-0123456789"), BcryptCost: 4,
		Bus: memory.NewEventBus(10), Fetcher: noFeeds{}, Cache: memory.NewCache(10)}
	t.Run("OK", func(t *testing.T) {
		svc, err := service.New(deps)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(svc.Events.Close)
		t.Cleanup(svc.Ingest.Close)
		v := reflect.ValueOf(svc).Elem()
		for i := range v.NumField() {
			if v.Field(i).IsNil() {
				t.Errorf("Services.%s is nil", v.Type().Field(i).Name)
			}
		}
		if svc.Worker.Analyzer != svc.Analysis || svc.Analysis.SLA != svc.SLA || svc.Analysis.Events != svc.Events ||
			svc.PatchRuns.Events != svc.Events || svc.Ingest.Sites != svc.Sites || svc.Notifier.Secrets != svc.Auth.WebhookSecrets() {
			t.Error("services are not wired to each other")
		}
	})
	t.Run("ErrMissingDeps", func(t *testing.T) {
		for name, change := range map[string]func(*service.Deps){
			"Store":      func(d *service.Deps) { d.Store = nil },
			"Secret":     func(d *service.Deps) { d.Secret = nil },
			"Bus":        func(d *service.Deps) { d.Bus = nil },
			"Fetcher":    func(d *service.Deps) { d.Fetcher = nil },
			"BcryptCost": func(d *service.Deps) { d.BcryptCost = 0 },
		} {
			d := deps
			change(&d)
			if _, err := service.New(d); err == nil {
				t.Errorf("New without %s: no error", name)
			}
		}
	})
}
