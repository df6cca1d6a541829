package service

import (
	"context"
	"slices"
	"testing"

	"github.com/fleetwatch/fleetwatch"
)

// headsStore answers FindReleaseFeedHeads with no cached feed and records
// what it was asked for; the rest of AnalysisStore is not used.
type headsStore struct {
	AnalysisStore
	asked []string
}

func (s *headsStore) FindReleaseFeedHeads(_ context.Context, projects []string) ([]*fleetwatch.ReleaseFeed, error) {
	s.asked = append(s.asked, projects...)
	return nil, nil
}

// TestAnalysis_FeedsOnlyOfDrupalOrgProjects: a push that brings drupal.org
// projects, a custom project and PHP libraries looks up and queues for a
// first fetch the drupal.org projects only: drupal.org has no release
// history of a custom project or of a Packagist library.
func TestAnalysis_FeedsOnlyOfDrupalOrgProjects(t *testing.T) {
	store := &headsStore{}
	a := NewAnalysis(store, nil)
	_, err := a.feeds(context.Background(), map[string]string{
		"token":                   fleetwatch.SourceDrupalOrg,
		"drupal":                  fleetwatch.SourceDrupalOrg,
		"my_custom":               fleetwatch.SourceCustom,
		"guzzlehttp/guzzle":       fleetwatch.SourcePackagist,
		"symfony/http-foundation": fleetwatch.SourcePackagist,
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(store.asked)
	if want := []string{"drupal", "token"}; !slices.Equal(store.asked, want) {
		t.Errorf("feeds looked up: %v, want %v", store.asked, want)
	}
	var queued []string
	for len(a.fetch) > 0 {
		queued = append(queued, <-a.fetch)
	}
	slices.Sort(queued)
	if want := []string{"drupal", "token"}; !slices.Equal(queued, want) {
		t.Errorf("feeds queued for a first fetch: %v, want %v", queued, want)
	}
}
