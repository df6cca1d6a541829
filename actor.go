package fleetwatch

import "context"

// Roles of users, from most to least powerful.
const (
	RoleAdmin    = "admin"     // the whole platform, all organizations
	RoleOrgAdmin = "org_admin" // one organization: users, sites, keys, policies
	RoleMember   = "member"    // read and write sites, record patch runs
	RoleViewer   = "viewer"    // read only
)

// Roles lists every role, most powerful first.
var Roles = []string{RoleAdmin, RoleOrgAdmin, RoleMember, RoleViewer}

// RoleRank orders roles: a higher rank may do everything a lower one may.
// It returns 0 for an unknown role.
func RoleRank(role string) int {
	switch role {
	case RoleAdmin:
		return 4
	case RoleOrgAdmin:
		return 3
	case RoleMember:
		return 2
	case RoleViewer:
		return 1
	}
	return 0
}

// Actor is who makes a request: a signed-in user or an API key acting for one
// organization. Services decide what it may see and do.
type Actor struct {
	UserID         int64  // 0 for an API key
	UserUUID       string // "" for an API key
	OrganizationID int64  // 0 for a platform admin outside any organization
	Role           string
	// SessionID is the sign-in the access token belongs to, so that logout
	// and a password change can end it (0 for an API key).
	SessionID int64
	// APIKeyID is set when an API key authenticated the request.
	APIKeyID int64
	// SiteID is set for a site key, which may push for that one site only.
	SiteID int64
	// RemoteAddr is the client address, for the activity trail.
	RemoteAddr string
}

// IsAdmin reports whether the actor is a platform admin.
func (a *Actor) IsAdmin() bool { return a != nil && a.Role == RoleAdmin }

// Can reports whether the actor's role is at least role.
func (a *Actor) Can(role string) bool { return a != nil && RoleRank(a.Role) >= RoleRank(role) }

// ScopeOrganization returns the organization an actor is bounded by, or 0 for
// an admin, who sees all.
func (a *Actor) ScopeOrganization() int64 {
	if a.IsAdmin() {
		return 0
	}
	return a.OrganizationID
}

type actorKey struct{}

// NewContextWithActor returns a context that carries the actor.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor of the request, or nil.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}
