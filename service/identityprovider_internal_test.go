package service

import (
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/google/go-cmp/cmp"
)

func TestCheckIssuer(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{" https://login.example.com/realms/ops ", "https://login.example.com/realms/ops", true},
		{"https://tenant.auth.example/", "https://tenant.auth.example/", true},
		{"http://127.0.0.1:5556", "http://127.0.0.1:5556", true},
		{"http://localhost:5556", "http://localhost:5556", true},
		{"http://[::1]:5556", "http://[::1]:5556", true},
		{"http://id.example.com", "", false},
		{"http://10.0.0.1", "", false},
		{"ftp://id.example.com", "", false},
		{"https://id.example.com?tenant=1", "", false},
		{"id.example.com", "", false},
		{"", "", false},
	} {
		var v fleetwatch.Validation
		got := checkIssuer(&v, tc.in)
		if ok := v.Err() == nil; ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("checkIssuer(%q) = %q, %v; want %q, %v", tc.in, got, v.Err(), tc.want, tc.ok)
		}
	}
}

func TestCheckWords(t *testing.T) {
	var v fleetwatch.Validation
	got := checkWords(&v, "/scopes", []string{"openid", " email ", "groups", "email"}, "openid")
	if v.Err() != nil || !cmp.Equal(got, []string{"email", "groups"}) {
		t.Errorf("checkWords = %v, %v", got, v.Err())
	}
	checkWords(&v, "/scopes", []string{"two words", "ok", "é"}, "")
	if len(v.Fields) != 2 || v.Fields[0].Pointer != "/scopes/0" || v.Fields[1].Pointer != "/scopes/2" {
		t.Errorf("bad words: %+v", v.Fields)
	}
}

func TestIdentityProvider_Match(t *testing.T) {
	p := &fleetwatch.IdentityProvider{GroupMappings: []fleetwatch.GroupMapping{
		{Group: "leads", OrganizationID: 1, Role: fleetwatch.RoleOrgAdmin},
		{Group: "ops", OrganizationID: 1, Role: fleetwatch.RoleMember},
		{Group: "root", Role: fleetwatch.RoleAdmin},
	}}
	for _, tc := range []struct {
		groups []string
		want   string
	}{
		{[]string{"ops"}, fleetwatch.RoleMember},
		{[]string{"ops", "leads"}, fleetwatch.RoleOrgAdmin}, // the first mapping wins, not the first group
		{[]string{"root", "ops"}, fleetwatch.RoleMember},
		{[]string{"marketing"}, ""},
		{nil, ""},
	} {
		m, ok := p.Match(tc.groups)
		if m.Role != tc.want || ok != (tc.want != "") {
			t.Errorf("Match(%v) = %q %v, want %q", tc.groups, m.Role, ok, tc.want)
		}
	}
}
