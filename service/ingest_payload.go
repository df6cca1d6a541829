package service

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/drupal"
	"github.com/fleetwatch/fleetwatch/packagist"
	fastjson "github.com/goccy/go-json"
)

// Limits of pushed payloads.
const (
	// MaxPayloadBytes is the body limit of the ingest routes.
	MaxPayloadBytes = 2 << 20
	// MaxModules bounds the extensions of one inventory; the largest real
	// sites run a few hundred.
	MaxModules = 5000
	// MaxLibraries bounds the PHP libraries of one inventory or
	// composer.lock; real Drupal sites lock 150 to 300 packages.
	MaxLibraries = 3000
	// MaxVersionLength bounds a version string.
	MaxVersionLength = drupal.MaxVersionLength
	// MaxNoteLength bounds a patch run's notes.
	MaxNoteLength = 4000
	// MaxFutureSkew is how far in the future of its arrival a collected_at
	// may be, for clocks that are a little off.
	MaxFutureSkew = time.Hour
	// maxFieldErrors bounds the errors one answer lists.
	maxFieldErrors = 20
)

// oldest is the earliest collected_at taken seriously.
var oldest = time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)

// validName matches project and extension machine names:
// ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$, checked by hand (a regexp costs a
// tenth of the accept path's CPU at a few hundred names per push).
var validName nameMatcher

type nameMatcher struct{}

// MatchString reports whether s is a machine name.
func (nameMatcher) MatchString(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_':
		case (c == '.' || c == '-') && i > 0:
		default:
			return false
		}
	}
	return true
}

// tokenOK is the fast path of checkToken: true when s passes it. Printable
// ASCII without spaces is checked byte by byte; anything else goes to
// checkToken.
func tokenOK(s string, required bool, max int) bool {
	if (s == "" && required) || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// InventoryPayload is the body of POST /ingest/inventory (see "Payloads" in
// docs/architecture.md).
// Unknown fields are ignored, so that older servers accept newer agents.
type InventoryPayload struct {
	SnapshotID  string             `json:"snapshot_id,omitempty" maxLength:"100" doc:"Client-made id; the same id twice is stored once"`
	CollectedAt string             `json:"collected_at,omitempty" format:"date-time" doc:"When the site collected the inventory; defaults to arrival"`
	Drupal      InventoryDrupal    `json:"drupal"`
	Modules     []InventoryModule  `json:"modules" maxItems:"5000"`
	Libraries   []InventoryLibrary `json:"libraries,omitempty" maxItems:"3000" doc:"The PHP libraries of the site's composer.lock (every package that is not a Drupal project)"`
}

// InventoryLibrary is one PHP library (a composer package that is not a
// Drupal project).
type InventoryLibrary struct {
	Name    string `json:"name" example:"guzzlehttp/guzzle" doc:"The composer package name, vendor/package"`
	Version string `json:"version" example:"7.4.2" doc:"The version as composer.lock gives it"`
	Dev     bool   `json:"dev,omitempty" doc:"A packages-dev entry"`
}

// InventoryDrupal describes the Drupal installation.
type InventoryDrupal struct {
	CoreVersion string `json:"core_version,omitempty" example:"10.3.6"`
	PHPVersion  string `json:"php_version,omitempty" example:"8.3.1"`
	Profile     string `json:"profile,omitempty" example:"standard"`
}

// InventoryModule is one extension (module, theme, profile) or core.
type InventoryModule struct {
	Name      string    `json:"name" example:"ctools_views"`
	Project   string    `json:"project,omitempty" doc:"The drupal.org project; defaults to name" example:"ctools"`
	Type      string    `json:"type,omitempty" enum:"core,module,theme,profile" doc:"Defaults to module"`
	Version   string    `json:"version" example:"4.1.0"`
	Enabled   *bool     `json:"enabled,omitempty"`
	Datestamp Datestamp `json:"datestamp,omitempty" doc:"Build time of a dev checkout, unix seconds"`
	Source    string    `json:"source,omitempty" enum:"drupal.org,custom" doc:"Defaults to drupal.org; custom projects are never looked up"`
}

// item is the module as the analysis reads it (enabled unless said).
func (m InventoryModule) item() drupal.Item {
	return drupal.Item{Name: m.Name, Type: m.Type, Version: m.Version, Datestamp: int64(m.Datestamp),
		Source: m.Source, Package: m.Project, Enabled: m.Enabled == nil || *m.Enabled}
}

// Datestamp is unix seconds, given as a number or a string of digits (as
// composer.lock writes it).
type Datestamp int64

// UnmarshalJSON accepts 1717000000, "1717000000", "" and null.
func (d *Datestamp) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*d = 0
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return errors.New("datestamp must be unix seconds")
	}
	*d = Datestamp(n)
	return nil
}

// PatchRunPayload is the body of POST /ingest/patch-runs and of a manual
// patch run.
type PatchRunPayload struct {
	RunID      string                      `json:"run_id,omitempty" maxLength:"100" doc:"Client-made id; the same id twice is stored once"`
	StartedAt  string                      `json:"started_at,omitempty" format:"date-time"`
	FinishedAt string                      `json:"finished_at,omitempty" format:"date-time"`
	Status     string                      `json:"status" enum:"succeeded,failed,partial"`
	Tool       string                      `json:"tool,omitempty" enum:"composer,drush,manual,automatic_updates"`
	Changes    []fleetwatch.PatchRunChange `json:"changes" maxItems:"5000"`
	Notes      string                      `json:"notes,omitempty" maxLength:"4000"`
}

// decodeJSON decodes body into v, ignoring unknown fields, and turns
// decoding errors into EINVALID errors that point at the field.
//
// Every push goes through here, on the accept path and again in the
// worker. goccy/go-json decodes it (about twice as fast as encoding/json,
// with half the allocations); what it accepts is taken as it decoded it
// (both decoders follow encoding/json's rules for these plain structs). A
// payload it rejects is decoded again by encoding/json, which decides
// whether it is really invalid and words the error with the JSON field.
func decodeJSON(body []byte, v any) error {
	if fastjson.Unmarshal(body, v) == nil {
		return nil
	}
	if p := reflect.ValueOf(v); p.Kind() == reflect.Pointer && !p.IsNil() {
		p.Elem().SetZero() // forget what the fast decoder half filled
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var v fleetwatch.Validation
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr) && typeErr.Field != "":
			v.Add("/"+strings.ReplaceAll(typeErr.Field, ".", "/"), "%s must be a %s", typeErr.Field, jsonType(typeErr.Type.Kind().String()))
		case errors.As(err, &syntaxErr):
			v.Add("", "The body is not valid JSON: %s (at byte %d).", syntaxErr.Error(), syntaxErr.Offset)
		case errors.Is(err, io.EOF):
			v.Add("", "The body is empty; send a JSON object.")
		case errors.Is(err, io.ErrUnexpectedEOF):
			v.Add("", "The body is not valid JSON: it ends before the JSON value does (%d bytes received).", len(body))
		default:
			v.Add("", "The body is not a valid payload: %s.", truncate(err.Error(), 200))
		}
		return v.Err()
	}
	if dec.More() {
		return fleetwatch.Errorf(fleetwatch.EINVALID, "The body holds more than one JSON value.")
	}
	return nil
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "slice", "array":
		return "list"
	case "struct", "map":
		return "JSON object"
	case "bool":
		return "boolean"
	}
	return "number"
}

// parseTime reads an RFC 3339 time of the payload.
func parseTime(v *fleetwatch.Validation, pointer, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		v.Add(pointer, "%s must be an RFC 3339 time such as 2026-11-25T10:00:00Z", strings.TrimPrefix(pointer, "/"))
		return time.Time{}, false
	}
	return t.UTC(), true
}

// checkWhen checks a time the site reports against its arrival.
func checkWhen(v *fleetwatch.Validation, pointer string, t, received time.Time) {
	switch {
	case t.After(received.Add(MaxFutureSkew)):
		v.Add(pointer, "%s is in the future (%s); check the clock of the site", strings.TrimPrefix(pointer, "/"), t.Format(time.RFC3339))
	case t.Before(oldest):
		v.Add(pointer, "%s must be after %s", strings.TrimPrefix(pointer, "/"), oldest.Format("2006"))
	}
}

// checkToken checks a short machine-readable string: printable, no spaces.
func checkToken(v *fleetwatch.Validation, pointer, label, s string, required bool, max int) {
	switch {
	case s == "" && required:
		v.Add(pointer, "%s must not be empty", label)
	case len(s) > max:
		v.Add(pointer, "%s must be at most %d characters", label, max)
	case !utf8.ValidString(s):
		v.Add(pointer, "%s must be valid UTF-8", label)
	case strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || unicode.IsSpace(r) }) >= 0:
		v.Add(pointer, "%s must not contain spaces or control characters", label)
	}
}

// ParseInventory validates an inventory payload that arrived at received
// and folds it into a snapshot of one entry per project. Errors are
// EINVALID and list the bad fields.
func ParseInventory(body []byte, siteID int64, received time.Time) (*fleetwatch.Snapshot, string, error) {
	p, items, collected, err := checkInventory(body, received)
	if err != nil {
		return nil, "", err
	}
	snap := foldInventory(items, p.Drupal)
	snap.SiteID, snap.CollectedAt = siteID, collected
	return snap, p.SnapshotID, nil
}

// ValidateInventory is ParseInventory for the accept path: it returns the
// payload's snapshot_id, the hash of its snapshot, and the collection time
// the payload gives (nil when it gives none: its arrival counts). The
// worker compares the hash with the site's before decoding the payload
// again (most pushes repeat the site's inventory).
func ValidateInventory(body []byte, received time.Time) (snapshotID, hash string, collectedAt *time.Time, err error) {
	p, items, collected, err := checkInventory(body, received)
	if err != nil {
		return "", "", nil, err
	}
	if p.CollectedAt != "" {
		collectedAt = &collected
	}
	return p.SnapshotID, foldInventory(items, p.Drupal).Hash, collectedAt, nil
}

// checkInventory decodes and validates an inventory payload.
func checkInventory(body []byte, received time.Time) (*InventoryPayload, []drupal.Item, time.Time, error) {
	var p InventoryPayload
	if err := decodeJSON(body, &p); err != nil {
		return nil, nil, time.Time{}, err
	}
	var v fleetwatch.Validation
	checkToken(&v, "/snapshot_id", "snapshot_id", p.SnapshotID, false, 100)
	collected := received.UTC()
	if t, ok := parseTime(&v, "/collected_at", p.CollectedAt); ok {
		checkWhen(&v, "/collected_at", t, received)
		collected = t
	}
	checkToken(&v, "/drupal/core_version", "drupal.core_version", p.Drupal.CoreVersion, false, MaxVersionLength)
	checkToken(&v, "/drupal/php_version", "drupal.php_version", p.Drupal.PHPVersion, false, 64)
	checkToken(&v, "/drupal/profile", "drupal.profile", p.Drupal.Profile, false, 128)
	switch {
	case len(p.Modules) == 0 && p.Drupal.CoreVersion == "":
		v.Add("/modules", "modules must list at least Drupal core")
	case len(p.Modules) > MaxModules:
		v.Add("/modules", "modules must list at most %d extensions, not %d", MaxModules, len(p.Modules))
	}
	if len(p.Libraries) > MaxLibraries {
		v.Add("/libraries", "libraries must list at most %d packages, not %d", MaxLibraries, len(p.Libraries))
	}
	if err := v.Err(); err != nil {
		return nil, nil, time.Time{}, err
	}

	items := make([]drupal.Item, 0, len(p.Modules)+len(p.Libraries)+1)
	seen := make(map[string]int, len(p.Modules))
	for i, m := range p.Modules {
		if len(v.Fields) >= maxFieldErrors {
			break
		}
		// The fast path: a valid entry (the normal case) costs no
		// formatting; an invalid one is checked field by field below.
		_, dup := seen[m.Name]
		if !dup && validName.MatchString(m.Name) && (m.Project == "" || validName.MatchString(m.Project)) &&
			tokenOK(m.Version, true, MaxVersionLength) && validType(m.Type) && validSource(m.Source) {
			seen[m.Name] = i
			items = append(items, m.item())
			continue
		}
		ptr := fmt.Sprintf("/modules/%d", i)
		bad := len(v.Fields)
		if !validName.MatchString(m.Name) {
			v.Add(ptr+"/name", "modules[%d].name must be a machine name (letters, digits, _ . -), 1 to 128 characters", i)
		} else if j, dup := seen[m.Name]; dup {
			v.Add(ptr+"/name", "module %q is listed twice (modules[%d] and modules[%d])", m.Name, j, i)
		} else {
			seen[m.Name] = i
		}
		if m.Project != "" && !validName.MatchString(m.Project) {
			v.Add(ptr+"/project", "modules[%d].project must be a machine name (letters, digits, _ . -), 1 to 128 characters", i)
		}
		checkToken(&v, ptr+"/version", fmt.Sprintf("modules[%d].version", i), m.Version, true, MaxVersionLength)
		if !validType(m.Type) {
			v.Add(ptr+"/type", "modules[%d].type must be core, module, theme or profile", i)
		}
		if !validSource(m.Source) {
			v.Add(ptr+"/source", "modules[%d].source must be drupal.org or custom", i)
		}
		if len(v.Fields) > bad {
			continue
		}
		items = append(items, m.item())
	}
	items = checkLibraries(&v, p.Libraries, items)
	if err := v.Err(); err != nil {
		return nil, nil, time.Time{}, err
	}
	return &p, items, collected, nil
}

// checkLibraries validates an inventory's libraries and appends them to
// items as packagist items.
func checkLibraries(v *fleetwatch.Validation, libs []InventoryLibrary, items []drupal.Item) []drupal.Item {
	seen := make(map[string]int, len(libs))
	for i, l := range libs {
		if len(v.Fields) >= maxFieldErrors {
			break
		}
		// The fast path, as for modules: a valid entry costs no formatting.
		if _, dup := seen[l.Name]; !dup && packagist.ValidName(l.Name) && tokenOK(l.Version, true, MaxVersionLength) {
			seen[l.Name] = i
			items = append(items, libraryItem(l.Name, l.Version, l.Dev))
			continue
		}
		ptr := fmt.Sprintf("/libraries/%d", i)
		bad := len(v.Fields)
		if !packagist.ValidName(l.Name) {
			v.Add(ptr+"/name", "libraries[%d].name must be a composer package name, vendor/package in lower case, at most %d characters", i, packagist.MaxNameLength)
		} else if j, dup := seen[l.Name]; dup {
			v.Add(ptr+"/name", "library %q is listed twice (libraries[%d] and libraries[%d])", l.Name, j, i)
		} else {
			seen[l.Name] = i
		}
		checkToken(v, ptr+"/version", fmt.Sprintf("libraries[%d].version", i), l.Version, true, MaxVersionLength)
		if len(v.Fields) > bad {
			continue
		}
		items = append(items, libraryItem(l.Name, l.Version, l.Dev))
	}
	return items
}

// libraryItem is the item of a PHP library: its own project, of source
// packagist.
func libraryItem(name, version string, dev bool) drupal.Item {
	return drupal.Item{Name: name, Package: name, Type: fleetwatch.ModuleTypeLibrary, Version: version,
		Source: fleetwatch.SourcePackagist, Dev: dev, Enabled: true}
}

func validType(t string) bool {
	switch t {
	case "", fleetwatch.ModuleTypeCore, fleetwatch.ModuleTypeModule, fleetwatch.ModuleTypeTheme, fleetwatch.ModuleTypeProfile:
		return true
	}
	return false
}

func validSource(s string) bool {
	switch s {
	case "", fleetwatch.SourceDrupalOrg, fleetwatch.SourceCustom:
		return true
	}
	return false
}

// foldInventory folds extensions into projects: a sub-module (its project
// set and different from its name) counts toward its project, whose version
// is that of the extension named like it, else of its first extension.
// Core's extensions fold into "drupal". items carry the project in Package.
func foldInventory(items []drupal.Item, d InventoryDrupal) *fleetwatch.Snapshot {
	// The worker folds every payload it applies: projects are gathered in
	// a slice (no allocation per project) and put in name order through a
	// slice of indexes, which moves no pointers (a sort of the structs
	// themselves paid a GC write barrier for every swap).
	type acc struct {
		p     fleetwatch.SnapshotProject
		exact bool // the version came from the extension named like the project
	}
	accs := make([]acc, 0, len(items)+1)
	byName := make(map[string]int, len(items)+1)
	for _, it := range items {
		project := it.Package
		if project == "" {
			project = it.Name
		}
		typ := it.Type
		if typ == "" {
			typ = fleetwatch.ModuleTypeModule
		}
		if typ == fleetwatch.ModuleTypeCore || project == drupal.CoreProject {
			project, typ = drupal.CoreProject, fleetwatch.ModuleTypeCore
		}
		source := it.Source
		if source == "" {
			source = fleetwatch.SourceDrupalOrg
		}
		exact := it.Name == project
		i, seen := byName[project]
		if !seen {
			byName[project] = len(accs)
			accs = append(accs, acc{p: fleetwatch.SnapshotProject{Name: project, Type: typ, Source: source, Version: it.Version,
				Datestamp: it.Datestamp, Dev: it.Dev && typ == fleetwatch.ModuleTypeLibrary}, exact: exact})
			continue
		}
		if a := &accs[i]; exact && !a.exact {
			a.p = fleetwatch.SnapshotProject{Name: project, Type: typ, Source: source, Version: it.Version, Datestamp: it.Datestamp}
			a.exact = true
		}
	}
	if d.CoreVersion != "" {
		if i, ok := byName[drupal.CoreProject]; !ok {
			byName[drupal.CoreProject] = len(accs)
			accs = append(accs, acc{p: fleetwatch.SnapshotProject{Name: drupal.CoreProject, Type: fleetwatch.ModuleTypeCore,
				Source: fleetwatch.SourceDrupalOrg, Version: d.CoreVersion}})
		} else if !accs[i].exact {
			accs[i].p.Version = d.CoreVersion
		}
	}
	order := make([]int32, len(accs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int { return strings.Compare(accs[x].p.Name, accs[y].p.Name) })
	snap := &fleetwatch.Snapshot{PHPVersion: d.PHPVersion, Profile: d.Profile, Projects: make([]fleetwatch.SnapshotProject, len(accs))}
	for k, i := range order {
		snap.Projects[k] = accs[i].p
	}
	if i, ok := byName[drupal.CoreProject]; ok {
		snap.CoreVersion = accs[i].p.Version
	}
	snap.Hash = snapshotHash(snap)
	return snap
}

// snapshotHash digests what a snapshot says about the installation.
func snapshotHash(s *fleetwatch.Snapshot) string {
	// The bytes of the original fmt.Fprintf("v1\n%s\n%s\n%s\n") and
	// ("%s\t%s\t%s\t%s\t%d\n") per project, written without fmt: stored
	// hashes must stay comparable.
	b := make([]byte, 0, 64+len(s.Projects)*48)
	b = append(b, "v1\n"...)
	b = append(append(b, s.CoreVersion...), '\n')
	b = append(append(b, s.PHPVersion...), '\n')
	b = append(append(b, s.Profile...), '\n')
	for _, p := range s.Projects {
		b = append(append(b, p.Name...), '\t')
		b = append(append(b, p.Type...), '\t')
		b = append(append(b, p.Source...), '\t')
		b = append(append(b, p.Version...), '\t')
		b = strconv.AppendInt(b, p.Datestamp, 10)
		if p.Dev {
			// Only libraries are dev; hashes without them are unchanged.
			b = append(b, "\tdev"...)
		}
		b = append(b, '\n')
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ParseComposerLockPayload validates a composer.lock and folds its drupal/*
// packages into a snapshot collected at its arrival.
func ParseComposerLockPayload(body []byte, siteID int64, received time.Time) (*fleetwatch.Snapshot, error) {
	inv, err := drupal.ParseComposerLock(bytes.NewReader(body))
	switch {
	case errors.Is(err, drupal.ErrNoDrupalPackages):
		return nil, fleetwatch.Errorf(fleetwatch.EINVALID, "The composer.lock has no drupal/* packages: is this the lock file of a Drupal site?")
	case err != nil:
		return nil, fleetwatch.Errorf(fleetwatch.EINVALID, "The body is not a valid composer.lock: %s.", truncate(strings.TrimPrefix(err.Error(), drupal.ErrInvalidInventory.Error()+": "), 200))
	}
	if len(inv.Items) > MaxModules {
		return nil, fleetwatch.Errorf(fleetwatch.EINVALID, "The composer.lock lists %d Drupal projects; at most %d are accepted.", len(inv.Items), MaxModules)
	}
	if len(inv.Libraries) > MaxLibraries {
		return nil, fleetwatch.Errorf(fleetwatch.EINVALID, "The composer.lock lists %d libraries; at most %d are accepted.", len(inv.Libraries), MaxLibraries)
	}
	var v fleetwatch.Validation
	for i, it := range inv.Items {
		if len(v.Fields) >= maxFieldErrors {
			break
		}
		if !validName.MatchString(it.Name) {
			v.Add("", "package %d has an invalid project name", i)
		}
		checkToken(&v, "", fmt.Sprintf("the version of %s", truncate(it.Name, 60)), it.Version, true, MaxVersionLength)
		inv.Items[i].Package = "" // the item's name is its project
	}
	for i, l := range inv.Libraries {
		if len(v.Fields) >= maxFieldErrors {
			break
		}
		if !packagist.ValidName(l.Name) {
			v.Add("", "library %d (%s) has an invalid composer package name", i, truncate(l.Name, 60))
			continue
		}
		checkToken(&v, "", fmt.Sprintf("the version of %s", truncate(l.Name, 60)), l.Version, true, MaxVersionLength)
		inv.Items = append(inv.Items, libraryItem(l.Name, l.Version, l.Dev))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	snap := foldInventory(inv.Items, InventoryDrupal{})
	snap.SiteID, snap.CollectedAt = siteID, received.UTC()
	return snap, nil
}

// ParsePatchRun validates a patch run payload that arrived at received.
func ParsePatchRun(body []byte, siteID int64, received time.Time, defaultTool string) (*fleetwatch.PatchRun, string, error) {
	var p PatchRunPayload
	if err := decodeJSON(body, &p); err != nil {
		return nil, "", err
	}
	return checkPatchRun(p, siteID, received, defaultTool)
}

func checkPatchRun(p PatchRunPayload, siteID int64, received time.Time, defaultTool string) (*fleetwatch.PatchRun, string, error) {
	var v fleetwatch.Validation
	checkToken(&v, "/run_id", "run_id", p.RunID, false, 100)
	pr := &fleetwatch.PatchRun{SiteID: siteID, Status: p.Status, Tool: p.Tool, Notes: strings.TrimSpace(p.Notes)}
	if pr.Tool == "" {
		pr.Tool = defaultTool
	}
	if t, ok := parseTime(&v, "/started_at", p.StartedAt); ok {
		checkWhen(&v, "/started_at", t, received)
		pr.StartedAt = &t
	}
	if t, ok := parseTime(&v, "/finished_at", p.FinishedAt); ok {
		checkWhen(&v, "/finished_at", t, received)
		pr.FinishedAt = &t
	}
	if pr.StartedAt != nil && pr.FinishedAt != nil && pr.FinishedAt.Before(*pr.StartedAt) {
		v.Add("/finished_at", "finished_at must not be before started_at")
	}
	switch {
	case pr.FinishedAt != nil:
		pr.RunDate = *pr.FinishedAt
	case pr.StartedAt != nil:
		pr.RunDate = *pr.StartedAt
	default:
		pr.RunDate = received.UTC()
	}
	switch p.Status {
	case fleetwatch.PatchRunSucceeded, fleetwatch.PatchRunFailed, fleetwatch.PatchRunPartial:
	default:
		v.Add("/status", "status must be succeeded, failed or partial")
	}
	switch pr.Tool {
	case fleetwatch.ToolComposer, fleetwatch.ToolDrush, fleetwatch.ToolManual, fleetwatch.ToolAutomaticUpdates:
	default:
		v.Add("/tool", "tool must be composer, drush, manual or automatic_updates")
	}
	if utf8.RuneCountInString(pr.Notes) > MaxNoteLength || !utf8.ValidString(pr.Notes) {
		v.Add("/notes", "notes must be valid text of at most %d characters", MaxNoteLength)
	}
	if len(p.Changes) > MaxModules {
		v.Add("/changes", "changes must list at most %d projects", MaxModules)
	}
	for i, ch := range p.Changes {
		if len(v.Fields) >= maxFieldErrors || len(p.Changes) > MaxModules {
			break
		}
		ptr := fmt.Sprintf("/changes/%d", i)
		if !validName.MatchString(ch.Name) {
			v.Add(ptr+"/name", "changes[%d].name must be a project's machine name", i)
		}
		checkToken(&v, ptr+"/from_version", fmt.Sprintf("changes[%d].from_version", i), ch.FromVersion, false, MaxVersionLength)
		checkToken(&v, ptr+"/to_version", fmt.Sprintf("changes[%d].to_version", i), ch.ToVersion, false, MaxVersionLength)
		if ch.FromVersion == "" && ch.ToVersion == "" {
			v.Add(ptr, "changes[%d] needs from_version or to_version", i)
		}
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	pr.Changes = p.Changes
	if pr.Changes == nil {
		pr.Changes = []fleetwatch.PatchRunChange{}
	}
	return pr, p.RunID, nil
}
