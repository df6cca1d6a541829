package platform

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds end-of-life data as a refresh URL could serve it: Parse
// never panics, and what it accepts can be judged.
func FuzzParse(f *testing.F) {
	f.Add([]byte(apiJSON))
	b, _ := embedded.ReadFile("data/php.md")
	f.Add(b)
	f.Add([]byte("---\nreleases:\n  - releaseCycle: \"1.0\"\n    eol: false\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cycles, err := Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		d := (&Data{products: map[string][]Cycle{}}).With(PHP, cycles)
		for _, c := range cycles {
			v := d.Judge(PHP, c.Name, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
			if v.Status == StatusUnknown && strings.Trim(c.Name, "0123456789.") == "" && strings.Trim(c.Name, ".") != "" {
				t.Fatalf("cycle %q is not found for its own name", c.Name)
			}
		}
	})
}
