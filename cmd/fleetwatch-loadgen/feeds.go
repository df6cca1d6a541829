package main

import (
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// releaseCount is how many releases each generated project has.
const releaseCount = 8

// releaseVersion returns the n-th release (modulo releaseCount) of a
// generated project: a semantic version whose major and minor depend on the
// project, so that the catalog holds releaseCount versions per project
// however long the run.
func releaseVersion(project string, n int) string {
	h := fnv.New32a()
	h.Write([]byte(project))
	x := h.Sum32()
	return fmt.Sprintf("%d.%d.%d", 1+x%3, x%7, n%releaseCount)
}

// insecureRelease is the release of project that fixes a security issue,
// or -1: one project in five has one, so that pushes open and resolve
// exposures as sites move across it.
func insecureRelease(project string) int {
	h := fnv.New32a()
	h.Write([]byte(project))
	if x := h.Sum32(); x%5 == 0 {
		return int(x/5)%(releaseCount-2) + 2
	}
	return -1
}

// feedServer serves drupal.org-style release-history feeds of the generated
// projects (and an empty advisory listing), so that the server under test
// judges real versions instead of failing to reach drupal.org.
type feedServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen map[string]bool
}

func newFeedServer() *feedServer {
	f := &feedServer{seen: map[string]bool{}}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	return f
}

// served is how many distinct projects' feeds were fetched.
func (f *feedServer) served() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}

func (f *feedServer) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/release-history/")
	if !ok {
		// Advisories: an empty listing.
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"list":[]}`)
		return
	}
	project, _, _ := strings.Cut(rest, "/")
	f.mu.Lock()
	f.seen[project] = true
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprint(w, releaseFeed(project))
}

// releaseFeed is the release history of a generated project.
func releaseFeed(project string) string {
	var b strings.Builder
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	first := releaseVersion(project, 0)
	branch := first[:strings.LastIndex(first, ".")+1]
	type rel struct {
		version string
		date    int64
		terms   []string
	}
	var rels []rel
	if project == "drupal" {
		for i := 8; i >= 0; i-- {
			rels = append(rels, rel{fmt.Sprintf("10.3.%d", i), base.AddDate(0, 0, 14*i).Unix(), []string{"Bug fixes"}})
		}
		branch = "10.3."
	} else {
		sec := insecureRelease(project)
		for i := releaseCount - 1; i >= 0; i-- {
			terms := []string{"Bug fixes", "New features"}
			if i == sec {
				terms = append(terms, "Security update")
			}
			rels = append(rels, rel{releaseVersion(project, i), base.AddDate(0, 0, 14*i).Unix(), terms})
		}
	}
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="utf-8"?>
<project xmlns:dc="http://purl.org/dc/elements/1.1/">
<title>%[1]s</title>
<short_name>%[1]s</short_name>
<dc:creator>loadgen</dc:creator>
<supported_branches>%[2]s</supported_branches>
<project_status>published</project_status>
<link>https://example.com/project/%[1]s</link>
<releases>
`, project, branch)
	for _, r := range rels {
		fmt.Fprintf(&b, ` <release>
  <name>%[1]s %[2]s</name>
  <version>%[2]s</version>
  <status>published</status>
  <release_link>https://example.com/%[1]s-%[2]s</release_link>
  <download_link>https://example.com/%[1]s-%[2]s.tar.gz</download_link>
  <date>%[3]d</date>
  <terms>
`, project, r.version, r.date)
		for _, t := range r.terms {
			fmt.Fprintf(&b, "   <term><name>Release type</name><value>%s</value></term>\n", t)
		}
		b.WriteString("  </terms>\n </release>\n")
	}
	b.WriteString("</releases>\n</project>\n")
	return b.String()
}
