package httpapi

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// ScopeParams filter every report.
type ScopeParams struct {
	OrganizationID string `query:"organization_id" format:"uuid" doc:"Only this organization"`
	SiteID         string `query:"site_id" format:"uuid" doc:"Only this site"`
	From           string `query:"from" maxLength:"40" doc:"Start of the period: 2026-10-01 or an RFC 3339 time; default 30 days before to"`
	To             string `query:"to" maxLength:"40" doc:"End of the period (a date includes that day); default now"`
	Format         string `query:"format" enum:"json,csv" doc:"csv answers text/csv, as Accept: text/csv does"`
}

func (p ScopeParams) input() service.ScopeInput {
	return service.ScopeInput{OrganizationID: p.OrganizationID, SiteID: p.SiteID, From: p.From, To: p.To}
}

type complianceInput struct {
	ScopeParams
	ListParams
	Scope string `query:"scope" enum:"organization,site" doc:"Only the organization rows, or only the site rows"`
}

type pagedReportInput struct {
	ScopeParams
	ListParams
}

type moduleUsageInput struct {
	ScopeParams
	ListParams
	Project string `query:"project" required:"true" minLength:"1" maxLength:"100" doc:"The project's machine name, such as webform"`
}

type moduleVersionCountsInput struct {
	ScopeParams
	Project string `query:"project" required:"true" minLength:"1" maxLength:"100" doc:"The project's machine name, such as webform"`
}

type platformsReportInput struct {
	OrganizationID string `query:"organization_id" format:"uuid" doc:"Only this organization"`
	SiteID         string `query:"site_id" format:"uuid" doc:"Only this site"`
	Product        string `query:"product" enum:"php,drupal" doc:"Only PHP, or only Drupal core"`
	Format         string `query:"format" enum:"json,csv" doc:"csv answers text/csv, as Accept: text/csv does"`
	ListParams
}

// whole answers a list that is not paged: every row on one page.
func whole[T any](s *Server, ctx context.Context, items []T) *Many[T] {
	return listPage(s, ctx, items, len(items), ListParams{Page: 1, PerPage: max(len(items), 1)})
}

func (s *Server) registerReportRoutes() {
	tags := []string{"reports"}
	op := func(id, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: http.MethodGet, Path: Prefix + "/reports/" + path, Tags: tags, Summary: summary,
			Errors: []int{http.StatusNotFound}}
	}
	register(s, op("get-summary-report", "summary", "The fleet at a glance"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *ScopeParams) (*One[*fleetwatch.SummaryReport], error) {
			return wrap(s.Reports.Summary(ctx, in.input()))
		})
	register(s, op("get-security-updates-report", "security-updates", "Outstanding security updates with age, deadline and SLA state"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *pagedReportInput) (*Many[*fleetwatch.SecurityUpdateRow], error) {
			opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.SecurityUpdateSortFields)
			if err != nil {
				return nil, err
			}
			rows, total, err := s.Reports.SecurityUpdates(ctx, in.input(), opts)
			if err != nil {
				return nil, err
			}
			return listPage(s, ctx, rows, total, in.ListParams), nil
		})
	register(s, op("get-site-risk-report", "site-risk", "The sites with an open security update, riskiest first: past due, worst severity, count, next deadline"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *pagedReportInput) (*Many[*fleetwatch.SiteRiskRow], error) {
			opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.SiteRiskSortFields)
			if err != nil {
				return nil, err
			}
			rows, total, err := s.Reports.SiteRisks(ctx, in.input(), opts)
			if err != nil {
				return nil, err
			}
			return listPage(s, ctx, rows, total, in.ListParams), nil
		})
	register(s, op("get-sla-compliance-report", "sla-compliance", "SLA compliance per organization and site over a period (organizations first, each followed by its sites)"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *complianceInput) (*Many[*fleetwatch.ComplianceRow], error) {
			opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, nil)
			if err != nil {
				return nil, err
			}
			rows, err := s.Reports.Compliance(ctx, in.input())
			if err != nil {
				return nil, err
			}
			if in.Scope != "" {
				kept := rows[:0:0]
				for _, r := range rows {
					if r.Scope == in.Scope {
						kept = append(kept, r)
					}
				}
				rows = kept
			}
			// A fleet has a row per site: page them, the whole is cached.
			return listPage(s, ctx, fleetwatch.PageOf(rows, opts), len(rows), in.ListParams), nil
		})
	register(s, op("get-trends-report", "trends", "One row per day: security updates open, new, resolved, overdue; compliance; outdated updates and their lag"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *ScopeParams) (*Many[*fleetwatch.TrendRow], error) {
			rows, err := s.Reports.Trends(ctx, in.input())
			if err != nil {
				return nil, err
			}
			return whole(s, ctx, rows), nil
		})
	register(s, op("get-module-usage-report", "module-usage", "Which sites run a project, at which versions"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *moduleUsageInput) (*Many[*fleetwatch.ModuleUsageRow], error) {
			opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.ModuleUsageSortFields)
			if err != nil {
				return nil, err
			}
			rows, total, err := s.Reports.ModuleUsage(ctx, in.input(), in.Project, opts)
			if err != nil {
				return nil, err
			}
			return listPage(s, ctx, rows, total, in.ListParams), nil
		})
	register(s, op("get-module-versions-report", "module-usage/versions", "How many sites run each version of a project, and how many of them are behind or insecure"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *moduleVersionCountsInput) (*Many[*fleetwatch.ModuleUsageSummary], error) {
			rows, err := s.Reports.ModuleUsageByVersion(ctx, in.input(), in.Project)
			if err != nil {
				return nil, err
			}
			return whole(s, ctx, rows), nil
		})
	register(s, op("get-platforms-report", "platforms", "Sites on PHP or Drupal core that is unsupported or reaches its end of life within 90 days, ended first"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *platformsReportInput) (*Many[*fleetwatch.PlatformReportRow], error) {
			opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, nil)
			if err != nil {
				return nil, err
			}
			rows, err := s.Reports.PlatformSupport(ctx, service.ScopeInput{OrganizationID: in.OrganizationID, SiteID: in.SiteID}, in.Product)
			if err != nil {
				return nil, err
			}
			return listPage(s, ctx, fleetwatch.PageOf(rows, opts), len(rows), in.ListParams), nil
		})
	register(s, op("get-patch-runs-report", "patch-runs", "Patch runs of a period with what they changed and which exposures they closed"), fleetwatch.RoleViewer,
		func(ctx context.Context, in *pagedReportInput) (*Many[*fleetwatch.PatchRunReportRow], error) {
			// Runs are always newest first; q searches the site's name and address.
			opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, nil)
			if err != nil {
				return nil, err
			}
			rows, total, err := s.Reports.PatchRuns(ctx, in.input(), opts)
			if err != nil {
				return nil, err
			}
			return listPage(s, ctx, rows, total, in.ListParams), nil
		})
}
