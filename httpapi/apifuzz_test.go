package httpapi_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fleetwatch/fleetwatch/service"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
)

// The API fuzzer reads the OpenAPI document the server serves and, for a
// fixed time, sends every operation valid and invalid requests as every
// kind of caller: platform admin, the org admin, member and viewer of
// organization A, a member of organization B, A's integration keys, A's
// site key, and no one. Valid requests name real objects (the isolation
// test's fixture) with bodies from the same table or generated from the
// request schema; invalid ones have wrong types, missing fields, huge
// values, bad enums, junk bodies and random query strings. Whatever is
// sent, the answer is never a 5xx, every 4xx is in the API's error shape,
// and every 2xx body is valid against the response schema the document
// declares (checked by libopenapi-validator). Isolation (404 across
// organizations) is the isolation test's business, not this one's.
//
// The run is bounded: 10 s per backend, FLEETWATCH_APIFUZZ_TIME (a Go
// duration) to fuzz longer; FLEETWATCH_APIFUZZ_SEED replays a run.

// fuzzCallers are the kinds of caller the fuzzer sends requests as.
var fuzzCallers = []string{"anonymous", "admin", "org_admin", "member", "viewer", "member_b", "integration_read", "integration_write", "site_key"}

// fuzzOp is one operation of the document.
type fuzzOp struct {
	id, method, path string
	op               map[string]any
}

type apiFuzzer struct {
	t     *testing.T
	f     *isoFixture
	doc   map[string]any
	ops   []fuzzOp
	v     validator.Validator
	rnd   *rand.Rand
	sent  int
	codes map[int]int
	// failures counts the failures per operation and status, so that one
	// bug does not drown the report.
	failures map[string]int
}

func TestAPI_Fuzz(t *testing.T) {
	budget := 10 * time.Second
	if s := os.Getenv("FLEETWATCH_APIFUZZ_TIME"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("FLEETWATCH_APIFUZZ_TIME: %v", err)
		}
		budget = d
	}
	seed := uint64(17)
	if s := os.Getenv("FLEETWATCH_APIFUZZ_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("FLEETWATCH_APIFUZZ_SEED: %v", err)
		}
		seed = n
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		// The fuzzer's own sign-ins (fresh users for operations on one's
		// own account) come from the same loopback address as its junk
		// logins: a budget of failures per address that a seed happens to
		// exhaust would fail them. limits_test.go tests the limits.
		e.auth.Limits.PerAddress = service.NewLimiter(100000, 5*time.Minute, time.Hour)
		f := newIsoFixture(t, e)
		f.tokens["member_b"] = e.createUser("member@b.example", "member", f.org["B"])
		raw := e.must(200, "GET", "/api/v1/openapi.json", "", nil).Raw
		z := &apiFuzzer{t: t, f: f, rnd: rand.New(rand.NewPCG(seed, seed)), codes: map[int]int{}, failures: map[string]int{}}
		if err := json.Unmarshal([]byte(raw), &z.doc); err != nil {
			t.Fatal(err)
		}
		doc, err := libopenapi.NewDocument([]byte(raw))
		if err != nil {
			t.Fatalf("libopenapi reads no document: %v", err)
		}
		v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
		if len(errs) > 0 {
			t.Fatalf("libopenapi-validator cannot use the document: %v", errs)
		}
		z.v = v
		paths := z.doc["paths"].(map[string]any)
		for _, path := range sortedKeys(paths) {
			for _, method := range sortedKeys(paths[path].(map[string]any)) {
				op, ok := paths[path].(map[string]any)[method].(map[string]any)
				if !ok {
					continue
				}
				z.ops = append(z.ops, fuzzOp{id: op["operationId"].(string), method: strings.ToUpper(method), path: path, op: op})
			}
		}
		t.Logf("api fuzz: seed %d (FLEETWATCH_APIFUZZ_SEED=%d replays it), %v, %d operations", seed, seed, budget, len(z.ops))
		// First every operation as every caller, valid; then at random
		// until the time is up.
		for _, op := range z.ops {
			for _, caller := range fuzzCallers {
				z.send(op, caller, "valid")
			}
		}
		deadline := time.Now().Add(budget)
		kinds := []string{"valid", "generated", "badparam", "badquery", "badbody", "junkbody", "hugebody", "missing"}
		for time.Now().Before(deadline) && len(z.failures) < 40 {
			op := z.ops[z.rnd.IntN(len(z.ops))]
			z.send(op, fuzzCallers[z.rnd.IntN(len(fuzzCallers))], kinds[z.rnd.IntN(len(kinds))])
		}
		t.Logf("api fuzz: %d requests; answers by status: %v", z.sent, z.codes)
	})
}

// send builds one request of the kind, sends it and checks the answer.
func (z *apiFuzzer) send(op fuzzOp, caller, kind string) {
	t, f := z.t, z.f
	rc := routeCases[op.id]
	var params map[string]string
	if rc.params != nil {
		params = rc.params(f, "A")
	}
	if caller == "member_b" && rc.params != nil && !rc.fresh {
		params = rc.params(f, "B") // B's own objects, as B's member
	}
	path := op.path
	for k, v := range params {
		if kind == "badparam" && z.rnd.IntN(2) == 0 {
			v = z.junkString()
		}
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	if strings.Contains(path, "{") {
		// An operation the table gives no parameters: make them up.
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			path = path[:i] + url.PathEscape(z.junkString()) + path[j+1:]
		}
	}
	query := z.query(op, rc, kind)
	var body []byte
	contentType := "application/json"
	if _, ok := op.op["requestBody"]; ok || kind == "junkbody" {
		body = z.body(op, rc, kind)
		if kind == "junkbody" && z.rnd.IntN(4) == 0 {
			contentType = []string{"text/plain", "application/x-www-form-urlencoded", "", "application/json; charset=latin1"}[z.rnd.IntN(4)]
		}
	}
	token := f.tokens[caller]
	if rc.self && caller != "anonymous" && !strings.HasPrefix(caller, "integration") && caller != "site_key" {
		token = z.selfToken(caller)
	}
	u := f.e.srv.URL + path + query
	req, err := http.NewRequest(op.method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", u, err)
	}
	if body != nil && contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := f.e.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", op.method, u, err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	z.sent++
	z.codes[res.StatusCode]++
	what := fmt.Sprintf("%s (%s %s%s) as %s, %s request", op.id, op.method, op.path, query, caller, kind)
	if len(body) > 0 && len(body) < 400 {
		what += fmt.Sprintf(" with body %s", body)
	}
	switch {
	case res.StatusCode >= 500:
		z.fail(op, res.StatusCode, "%s: status %d\n%.500s", what, res.StatusCode, raw)
	case res.StatusCode >= 400:
		if msg := errorShape(res, raw); msg != "" {
			z.fail(op, res.StatusCode, "%s: status %d not in the error shape: %s\n%.500s", what, res.StatusCode, msg, raw)
		}
	case res.StatusCode >= 200 && res.StatusCode < 300:
		// The event stream, and CSV (?format=csv or Accept: text/csv, which
		// every operation offers and the document does not list), are not
		// JSON documents to check.
		if ct := res.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/event-stream") || strings.HasPrefix(ct, "text/csv") {
			return
		}
		// The validator reads the request's URL and the answer's body.
		vreq, _ := http.NewRequest(op.method, u, nil)
		vres := &http.Response{StatusCode: res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(raw)), Request: vreq}
		if ok, errs := z.v.ValidateHttpResponse(vreq, vres); !ok {
			var b strings.Builder
			for _, e := range errs {
				fmt.Fprintf(&b, "\n  %s: %s", e.Message, e.Reason)
				for _, s := range e.SchemaValidationErrors {
					fmt.Fprintf(&b, "\n    at %s: %s", s.FieldPath, s.Reason)
				}
			}
			z.fail(op, res.StatusCode, "%s: status %d, body not valid against the declared schema:%s\n%.500s", what, res.StatusCode, b.String(), raw)
		}
	}
}

func (z *apiFuzzer) fail(op fuzzOp, status int, format string, args ...any) {
	z.t.Helper()
	key := fmt.Sprintf("%s %d", op.id, status)
	z.failures[key]++
	if z.failures[key] <= 2 {
		z.t.Errorf(format, args...)
	}
}

// errorShape returns what is wrong with an error answer, or "".
func errorShape(res *http.Response, raw []byte) string {
	if !strings.Contains(res.Header.Get("Content-Type"), "json") {
		return fmt.Sprintf("Content-Type %q", res.Header.Get("Content-Type"))
	}
	var body struct {
		Errors []struct {
			Status, Code, Title, Detail string
		} `json:"errors"`
		Meta struct {
			RequestID string `json:"request_id"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return err.Error()
	}
	if len(body.Errors) == 0 {
		return "no errors"
	}
	for _, e := range body.Errors {
		if e.Status != strconv.Itoa(res.StatusCode) || e.Code == "" || e.Title == "" {
			return fmt.Sprintf("error %+v", e)
		}
	}
	if body.Meta.RequestID == "" || body.Meta.RequestID != res.Header.Get("X-Request-ID") {
		return fmt.Sprintf("meta.request_id %q, X-Request-ID %q", body.Meta.RequestID, res.Header.Get("X-Request-ID"))
	}
	return ""
}

// selfToken signs in a fresh user of the caller's role, for operations on
// one's own account (logging out or changing the password must not spend
// the shared callers).
func (z *apiFuzzer) selfToken(caller string) string {
	f := z.f
	role, org := caller, f.org["A"]
	switch caller {
	case "member_b":
		role, org = "member", f.org["B"]
	case "admin":
		org = ""
	}
	email := f.uniq("fz") + "@fuzz.example"
	body := map[string]any{"name": "F", "email": email, "password": testPassword, "role": role}
	if org != "" {
		body["organization_id"] = org
		// A fuzzed request may have turned the organization's passwords off.
		f.e.must(200, "PUT", "/api/v1/organizations/"+org+"/sign-in-policy", f.e.admin, map[string]any{"password_sign_in_disabled": false})
	}
	f.e.must(201, "POST", "/api/v1/users", f.e.admin, body)
	return f.e.login(email, testPassword)
}

// query builds the query string: the table's, plus values for the
// declared query parameters, valid or not, and sometimes made-up ones.
func (z *apiFuzzer) query(op fuzzOp, rc routeCase, kind string) string {
	q := url.Values{}
	if rc.query != nil {
		q, _ = url.ParseQuery(strings.TrimPrefix(rc.query(z.f, "A"), "?"))
	}
	if kind == "valid" {
		return encodeQuery(q)
	}
	params, _ := op.op["parameters"].([]any)
	for _, p := range params {
		p := z.resolve(p)
		if p["in"] != "query" || z.rnd.IntN(3) == 0 {
			continue
		}
		name := p["name"].(string)
		schema := z.resolve(p["schema"])
		if kind == "badquery" {
			q.Set(name, z.badScalar(schema))
		} else {
			q.Set(name, scalarString(z.gen(schema, 0)))
		}
	}
	if kind == "badquery" && z.rnd.IntN(3) == 0 {
		q.Set(z.junkString(), z.junkString())
	}
	return encodeQuery(q)
}

func encodeQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// body builds a request body of the kind.
func (z *apiFuzzer) body(op fuzzOp, rc routeCase, kind string) []byte {
	var schema map[string]any
	if rb := z.resolve(op.op["requestBody"]); rb != nil {
		content, _ := rb["content"].(map[string]any)
		for _, ct := range sortedKeys(content) {
			schema = z.resolve(content[ct].(map[string]any)["schema"])
			break
		}
	}
	valid := func() any {
		if rc.body != nil {
			return rc.body(z.f, "A")
		}
		return z.gen(schema, 0)
	}
	var v any
	switch kind {
	case "generated":
		v = z.gen(schema, 0)
	case "badbody":
		v = z.mutate(valid(), schema)
	case "missing":
		v = valid()
		if m, ok := v.(map[string]any); ok && len(m) > 0 {
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			delete(m, keys[z.rnd.IntN(len(keys))])
		}
	case "hugebody":
		v = valid()
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				if _, isString := x.(string); isString {
					m[k] = strings.Repeat("é", 70000)
				}
			}
		}
	case "junkbody":
		return []byte([]string{"", "null", "[]", "{", "\"x\"", "12", `{"a":`, "\x00\xff", `{"data":{}}`, strings.Repeat("[", 5000)}[z.rnd.IntN(10)])
	default:
		v = valid()
	}
	b, err := json.Marshal(v)
	if err != nil {
		z.t.Fatal(err)
	}
	return b
}

// resolve follows a $ref into the document's components.
func (z *apiFuzzer) resolve(v any) map[string]any {
	m, _ := v.(map[string]any)
	for i := 0; m != nil && i < 10; i++ {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m
		}
		var cur any = z.doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		m, _ = cur.(map[string]any)
	}
	return m
}

// schemaType returns a schema's type ("object", …): the first non-null of a
// 3.1 type list.
func schemaType(s map[string]any) string {
	switch t := s["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string)
			}
		}
	}
	if _, ok := s["properties"]; ok {
		return "object"
	}
	return ""
}

// gen generates a value valid against the schema (as far as the schema
// says: required properties, enums, bounds, formats).
func (z *apiFuzzer) gen(schema map[string]any, depth int) any {
	if schema == nil || depth > 6 {
		return nil
	}
	if enum, ok := schema["enum"].([]any); ok && len(enum) > 0 {
		return enum[z.rnd.IntN(len(enum))]
	}
	for _, key := range []string{"oneOf", "anyOf"} {
		if alts, ok := schema[key].([]any); ok && len(alts) > 0 {
			return z.gen(z.resolve(alts[z.rnd.IntN(len(alts))]), depth+1)
		}
	}
	switch schemaType(schema) {
	case "object":
		out := map[string]any{}
		props, _ := schema["properties"].(map[string]any)
		required, _ := schema["required"].([]any)
		for _, name := range sortedKeys(props) {
			if readOnly, _ := z.resolve(props[name])["readOnly"].(bool); readOnly {
				continue
			}
			if slices.Contains(required, any(name)) || z.rnd.IntN(2) == 0 {
				out[name] = z.gen(z.resolve(props[name]), depth+1)
			}
		}
		delete(out, "$schema")
		return out
	case "array":
		n := z.rnd.IntN(3)
		if mi, ok := schema["minItems"].(float64); ok && n < int(mi) {
			n = int(mi)
		}
		if ma, ok := schema["maxItems"].(float64); ok && n > int(ma) {
			n = int(ma)
		}
		out := make([]any, n)
		for i := range out {
			out[i] = z.gen(z.resolve(schema["items"]), depth+1)
		}
		return out
	case "integer", "number":
		lo, hi := 0.0, 1000.0
		if m, ok := schema["minimum"].(float64); ok {
			lo = m
		}
		if m, ok := schema["maximum"].(float64); ok {
			hi = m
		}
		if hi < lo {
			hi = lo
		}
		return lo + float64(z.rnd.IntN(int(min(hi-lo, 1e6))+1))
	case "boolean":
		return z.rnd.IntN(2) == 0
	case "string":
		switch schema["format"] {
		case "date-time":
			return time.Now().Add(time.Duration(z.rnd.IntN(72)-24) * time.Hour).UTC().Format(time.RFC3339)
		case "date":
			return time.Now().UTC().Format(time.DateOnly)
		case "email":
			return z.f.uniq("g") + "@fuzz.example"
		case "uri", "url":
			return "https://" + z.f.uniq("g") + ".example/"
		case "uuid":
			return "0190f3b8-7c1e-7000-8000-" + fmt.Sprintf("%012d", z.rnd.IntN(1e9))
		}
		s := []string{"fuzz", "Ünïcode name", "a", "x-1", "10.3.6", "8.x-1.0", "correct horse battery"}[z.rnd.IntN(7)]
		if m, ok := schema["minLength"].(float64); ok && len(s) < int(m) {
			s += strings.Repeat("x", int(m)-len(s))
		}
		if m, ok := schema["maxLength"].(float64); ok && len(s) > int(m) {
			s = s[:int(m)]
		}
		return s
	}
	return "x"
}

// mutate returns the value with one field made invalid: a wrong type, a
// bad enum, a huge or negative number, a huge or control-laden string.
func (z *apiFuzzer) mutate(v any, schema map[string]any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return z.badValue(schema)
	}
	props, _ := schema["properties"].(map[string]any)
	names := sortedKeys(props)
	if len(names) == 0 {
		m[z.junkString()] = z.junkValue()
		return m
	}
	name := names[z.rnd.IntN(len(names))]
	if inner, ok := m[name].(map[string]any); ok && z.rnd.IntN(2) == 0 {
		m[name] = z.mutate(inner, z.resolve(props[name]))
		return m
	}
	m[name] = z.badValue(z.resolve(props[name]))
	return m
}

// badValue returns a value the schema refuses (or at least strains).
func (z *apiFuzzer) badValue(schema map[string]any) any {
	switch z.rnd.IntN(4) {
	case 0:
		return z.junkValue()
	case 1:
		if _, ok := schema["enum"]; ok {
			return "not-an-enum-value"
		}
	case 2:
		switch schemaType(schema) {
		case "integer", "number":
			return []any{1e300, -1, -1e18, 9223372036854775807, 0.5}[z.rnd.IntN(5)]
		case "string":
			return []string{strings.Repeat("A", 100000), "a\x00b\u200bc\u202e", "", " ", "2026-13-45T99:99:99Z"}[z.rnd.IntN(5)]
		case "array":
			return []any{z.junkValue(), nil, map[string]any{}}
		}
	}
	switch schemaType(schema) {
	case "string":
		return 12345
	case "integer", "number":
		return "twelve"
	case "boolean":
		return "yes"
	case "array":
		return map[string]any{"a": 1}
	case "object":
		return []any{1, 2}
	}
	return nil
}

// badScalar returns a query value the parameter's schema refuses.
func (z *apiFuzzer) badScalar(schema map[string]any) string {
	switch schemaType(schema) {
	case "integer", "number":
		return []string{"abc", "-1", "0", "99999999999999999999999", "1e400", "1.5", "", "NaN"}[z.rnd.IntN(8)]
	case "boolean":
		return "maybe"
	}
	if _, ok := schema["enum"]; ok && z.rnd.IntN(2) == 0 {
		return "not-an-enum-value"
	}
	return z.junkString()
}

func (z *apiFuzzer) junkValue() any {
	return []any{nil, true, -7, 3.5, "", "junk", []any{}, map[string]any{"x": []any{nil}}, strings.Repeat("z", 5000)}[z.rnd.IntN(9)]
}

func (z *apiFuzzer) junkString() string {
	switch z.rnd.IntN(8) {
	case 0:
		return strings.Repeat("9", 400)
	case 1:
		return "../../etc/passwd"
	case 2:
		return "00000000-0000-0000-0000-000000000000"
	case 3:
		return "'; DROP TABLE sites; --"
	case 4:
		return "\u200b\u202e\x01"
	case 5:
		return "-name,-name,,,"
	case 6:
		return "%00%zz"
	}
	b := make([]byte, 1+z.rnd.IntN(40))
	for i := range b {
		b[i] = byte(z.rnd.IntN(256))
	}
	return string(b)
}
