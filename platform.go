package fleetwatch

import "time"

// Platforms a site runs, judged against their published end of life.
const (
	PlatformPHP    = "php"
	PlatformDrupal = "drupal"
)

// Support statuses of a platform.
const (
	PlatformSupported    = "supported"     // active support
	PlatformSecurityOnly = "security_only" // security fixes only
	PlatformEnded        = "ended"         // security support ended
	PlatformUnknown      = "unknown"       // the version's cycle is not in the data
)

// Milestones of a platform's end of life that are notified, each once per
// (site, platform, cycle).
const (
	PlatformMilestoneEndsSoon = "ends_soon" // security support ends within 90 days
	PlatformMilestoneEnded    = "ended"     // security support ended
)

// PlatformVerdict is one platform a site runs (PHP, Drupal core) judged
// against its end of life.
type PlatformVerdict struct {
	Product      string  `json:"product" enum:"php,drupal"`
	Name         string  `json:"name" doc:"PHP or Drupal core"`
	Version      string  `json:"version" doc:"The version the site reported"`
	Cycle        string  `json:"cycle" doc:"Its release cycle (8.1, 10.3); empty when not in the data"`
	Status       string  `json:"status" enum:"supported,security_only,ended,unknown"`
	SecurityEnds *string `json:"security_ends" doc:"End of security support, YYYY-MM-DD; null when not published"`
	EndsSoon     bool    `json:"ends_soon" doc:"Security support ends within 90 days"`
	Message      string  `json:"message" example:"PHP 8.1 — security support ended 2025-12-31"`
}

// PlatformSite is a site with the platform versions it last reported.
type PlatformSite struct {
	ID               int64
	UUID             string
	Name, URL        string
	OrganizationID   int64
	OrganizationUUID string
	OrganizationName string
	CoreVersion      string
	PHPVersion       string
}

// PlatformReportRow is one platform of one site that is unsupported or
// reaches its end of life within 90 days.
type PlatformReportRow struct {
	OrganizationUUID string  `json:"organization_id"`
	OrganizationName string  `json:"organization_name"`
	SiteUUID         string  `json:"site_id"`
	SiteName         string  `json:"site_name"`
	SiteURL          string  `json:"site_url"`
	Product          string  `json:"product" enum:"php,drupal"`
	Version          string  `json:"version"`
	Cycle            string  `json:"cycle"`
	Status           string  `json:"status" enum:"supported,security_only,ended,unknown"`
	SecurityEnds     *string `json:"security_ends" doc:"End of security support, YYYY-MM-DD; null when not published"`
	EndsSoon         bool    `json:"ends_soon" doc:"Security support ends within 90 days"`
	Message          string  `json:"message"`
}

// PlatformNotice records that a milestone of a platform cycle a site runs
// was announced, so that it is announced once.
type PlatformNotice struct {
	SiteID    int64
	Product   string
	Cycle     string
	Milestone string
	CreatedAt time.Time
}

// PlatformEventData is the payload of platform.end_of_life.
type PlatformEventData struct {
	SiteID       string  `json:"site_id"`
	SiteName     string  `json:"site_name,omitempty"`
	SiteURL      string  `json:"site_url,omitempty"`
	Product      string  `json:"product"`
	Version      string  `json:"version"`
	Cycle        string  `json:"cycle"`
	Milestone    string  `json:"milestone" enum:"ends_soon,ended"`
	SecurityEnds *string `json:"security_ends,omitempty"`
	Message      string  `json:"message"`
}
