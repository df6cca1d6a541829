package platform

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// ErrInvalidData is wrapped by the errors of Parse for input that is not
// end-of-life data of a known format.
var ErrInvalidData = errors.New("invalid end-of-life data")

// Products Fleetwatch ships data for.
const (
	PHP    = "php"
	Drupal = "drupal"
)

// names are the products' names in verdicts.
var names = map[string]string{PHP: "PHP", Drupal: "Drupal core"}

//go:embed data/php.md data/drupal.md
var embedded embed.FS

// MaxDataBytes bounds one product's data.
const MaxDataBytes = 1 << 20

// Cycle is one release cycle of a product ("8.1" of PHP, "10.3" of Drupal).
type Cycle struct {
	// Name is the cycle ("8.1", "10.3", "7").
	Name string
	// Released is the cycle's first release; zero when unknown.
	Released time.Time
	// ActiveEnds is the end of active support (bug fixes); zero when
	// unknown or not published.
	ActiveEnds time.Time
	// SecurityEnds is the end of security support; zero when the cycle is
	// still supported with no end date (Ended tells the two apart).
	SecurityEnds time.Time
	// Ended is set when the source says security support ended without a
	// date.
	Ended bool
	// Latest is the cycle's latest release when known.
	Latest string
}

// Data holds the release cycles of each product, newest first.
type Data struct {
	products map[string][]Cycle
}

// Embedded returns the data Fleetwatch ships.
func Embedded() *Data {
	d := &Data{products: map[string][]Cycle{}}
	for _, p := range []string{PHP, Drupal} {
		b, err := embedded.ReadFile("data/" + p + ".md")
		if err != nil {
			panic(err) // embedded at build time
		}
		cycles, err := Parse(bytes.NewReader(b))
		if err != nil {
			panic(fmt.Sprintf("embedded %s data: %v", p, err))
		}
		d.products[p] = cycles
	}
	return d
}

// With returns a copy of d with product's cycles replaced, for a refresh.
func (d *Data) With(product string, cycles []Cycle) *Data {
	out := &Data{products: map[string][]Cycle{}}
	for k, v := range d.products {
		out.products[k] = v
	}
	out.products[product] = slices.Clone(cycles)
	return out
}

// Cycles returns a product's cycles, newest first.
func (d *Data) Cycles(product string) []Cycle { return slices.Clone(d.products[product]) }

// Parse reads one product's cycles from endoflife.date's product page
// (Markdown with a YAML front matter holding "releases:") or its API's
// JSON (an array of {cycle, releaseDate, support, eol, latest}). Errors
// wrap ErrInvalidData.
func Parse(r io.Reader) ([]Cycle, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxDataBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidData, err)
	}
	if len(b) > MaxDataBytes {
		return nil, fmt.Errorf("%w: over %d bytes", ErrInvalidData, MaxDataBytes)
	}
	b = bytes.TrimSpace(b)
	var cycles []Cycle
	switch {
	case bytes.HasPrefix(b, []byte("[")):
		cycles, err = parseAPI(b)
	case bytes.HasPrefix(b, []byte("---")):
		cycles, err = parsePage(b)
	default:
		err = errors.New("neither an endoflife.date product page nor API JSON")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidData, err)
	}
	if len(cycles) == 0 {
		return nil, fmt.Errorf("%w: no release cycles", ErrInvalidData)
	}
	return cycles, nil
}

func parsePage(b []byte) ([]Cycle, error) {
	rest := bytes.TrimPrefix(b, []byte("---"))
	front, _, ok := bytes.Cut(rest, []byte("\n---"))
	if !ok {
		return nil, errors.New("front matter is not closed")
	}
	var doc struct {
		Releases []struct {
			Cycle    string `yaml:"releaseCycle"`
			Released any    `yaml:"releaseDate"`
			Eoas     any    `yaml:"eoas"`
			Eol      any    `yaml:"eol"`
			Latest   string `yaml:"latest"`
		} `yaml:"releases"`
	}
	if err := yaml.Unmarshal(front, &doc); err != nil {
		return nil, err
	}
	var out []Cycle
	for _, r := range doc.Releases {
		c, err := cycle(r.Cycle, r.Released, r.Eoas, r.Eol, r.Latest)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func parseAPI(b []byte) ([]Cycle, error) {
	var doc []struct {
		Cycle    any    `json:"cycle"`
		Released any    `json:"releaseDate"`
		Support  any    `json:"support"`
		Eol      any    `json:"eol"`
		Latest   string `json:"latest"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	var out []Cycle
	for _, r := range doc {
		c, err := cycle(fmt.Sprint(r.Cycle), r.Released, r.Support, r.Eol, r.Latest)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// cycle builds a Cycle from the loosely typed fields: dates as YAML times
// or "2006-01-02" strings, and booleans for "no date" (false: still
// supported; true: ended).
func cycle(name string, released, eoas, eol any, latest string) (Cycle, error) {
	// "8.1." names the cycle "8.1" that versions are matched against.
	name = strings.Trim(strings.TrimSpace(name), ".")
	if name == "" || name == "<nil>" {
		return Cycle{}, errors.New("a release without releaseCycle")
	}
	c := Cycle{Name: name, Latest: latest}
	var ended bool
	var err error
	if c.Released, _, err = date(released); err != nil {
		return Cycle{}, fmt.Errorf("cycle %s releaseDate: %w", name, err)
	}
	if c.ActiveEnds, _, err = date(eoas); err != nil {
		return Cycle{}, fmt.Errorf("cycle %s eoas: %w", name, err)
	}
	if c.SecurityEnds, ended, err = date(eol); err != nil {
		return Cycle{}, fmt.Errorf("cycle %s eol: %w", name, err)
	}
	c.Ended = ended && c.SecurityEnds.IsZero()
	return c, nil
}

// date reads a date field; flag is the value of a boolean in its place.
func date(v any) (t time.Time, flag bool, err error) {
	switch x := v.(type) {
	case nil:
		return time.Time{}, false, nil
	case bool:
		return time.Time{}, x, nil
	case time.Time:
		return x.UTC(), false, nil
	case string:
		t, err := time.Parse(time.DateOnly, strings.TrimSpace(x))
		return t, false, err
	}
	return time.Time{}, false, fmt.Errorf("unexpected value %v", v)
}
