package service_test

import (
	"context"
	"log/slog"
	"testing"

	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/fleetwatch/fleetwatch/service/servicetest"
)

// TestSLA_Policy runs on the in-memory store: which policy applies, who may
// change it and what a change records need no database.
func TestSLA_Policy(t *testing.T) {
	t.Parallel()
	s := servicetest.NewStore()
	bg := context.Background()
	var orgs [2]*fleetwatch.Organization
	for i := range orgs {
		orgs[i] = &fleetwatch.Organization{Name: "Org", IsActive: true}
		if err := s.CreateOrganization(bg, orgs[i], 0); err != nil {
			t.Fatal(err)
		}
	}
	a, b := orgs[0], orgs[1]
	boss := &fleetwatch.User{Name: "Boss", Email: "boss@a.example", OrganizationID: a.ID, Role: fleetwatch.RoleOrgAdmin, IsActive: true}
	if err := s.CreateUser(bg, boss, 0); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	sla := &service.SLA{Store: s, Activity: &service.Activity{Store: s, Logger: logger}}
	var hooked []int
	sla.OnPolicyChange(func(_ context.Context, p *fleetwatch.SLAPolicy) error {
		hooked = append(hooked, p.Version)
		return nil
	})
	orgAdmin := asActor(&fleetwatch.Actor{UserID: boss.ID, OrganizationID: a.ID, Role: fleetwatch.RoleOrgAdmin})
	member := asActor(&fleetwatch.Actor{UserID: 99, OrganizationID: a.ID, Role: fleetwatch.RoleMember})
	outsider := asActor(&fleetwatch.Actor{UserID: 98, OrganizationID: b.ID, Role: fleetwatch.RoleOrgAdmin})
	in := service.SLAPolicyInput{Deadlines: fleetwatch.SLADeadlineDays{HighlyCritical: 2, Critical: 5, ModeratelyCritical: 14, LessCritical: 45, NotCritical: 120}, ClockStart: fleetwatch.SLAClockDetected}

	t.Run("Defaults", func(t *testing.T) {
		p, err := sla.Get(member, a.UUID)
		if err != nil {
			t.Fatal(err)
		}
		want := fleetwatch.DefaultSLAPolicy(a.ID)
		if p.Version != 0 || p.Deadlines != want.Deadlines || p.ClockStart != fleetwatch.SLAClockPublished || p.OrganizationUUID != a.UUID {
			t.Errorf("default policy %+v", p)
		}
	})
	t.Run("Put", func(t *testing.T) {
		p, err := sla.Put(orgAdmin, a.UUID, in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Version != 1 || p.Deadlines != in.Deadlines || p.ClockStart != fleetwatch.SLAClockDetected || p.CreatedBy == nil || *p.CreatedBy != boss.UUID {
			t.Errorf("saved %+v", p)
		}
		got, err := sla.PolicyFor(bg, a.ID)
		if err != nil || got.Version != 1 || got.Deadlines.Critical != 5 {
			t.Errorf("PolicyFor = %+v, %v", got, err)
		}
		if len(hooked) != 1 || hooked[0] != 1 {
			t.Errorf("OnPolicyChange saw %v, want [1]", hooked)
		}
		logs, _, err := s.FindActivity(bg, fleetwatch.ActivityFilter{OrganizationID: a.ID, Action: "sla_policy.changed", ListOptions: fleetwatch.ListOptions{Page: 1, PerPage: 10}})
		if err != nil || len(logs) != 1 || logs[0].UserID != boss.ID {
			t.Errorf("activity %+v, %v", logs, err)
		}
		if _, err := sla.Put(asActor(&fleetwatch.Actor{UserID: boss.ID, Role: fleetwatch.RoleAdmin}), a.UUID, in); err != nil {
			t.Fatal(err)
		}
		versions, err := sla.Versions(member, a.UUID)
		if err != nil || len(versions) != 2 || versions[0].Version != 2 {
			t.Errorf("versions %+v, %v", versions, err)
		}
	})
	t.Run("ErrForbidden", func(t *testing.T) {
		_, err := sla.Put(member, a.UUID, in)
		if fleetwatch.ErrorCode(err) != fleetwatch.EFORBIDDEN {
			t.Errorf("member: %v", err)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := sla.Get(outsider, a.UUID); fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
			t.Errorf("Get by another organization: %v", err)
		}
		if _, err := sla.Put(outsider, a.UUID, in); fleetwatch.ErrorCode(err) != fleetwatch.ENOTFOUND {
			t.Errorf("Put by another organization: %v", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		bad := in
		bad.Deadlines.Critical = 0
		bad.ClockStart = "whenever"
		_, err := sla.Put(orgAdmin, a.UUID, bad)
		var fe *fleetwatch.Error
		if fleetwatch.ErrorCode(err) != fleetwatch.EINVALID {
			t.Fatalf("invalid policy: %v", err)
		} else if fe = err.(*fleetwatch.Error); len(fe.Fields) != 2 {
			t.Errorf("fields %+v, want 2", fe.Fields)
		}
	})
}
