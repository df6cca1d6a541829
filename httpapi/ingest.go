package httpapi

import (
	"context"
	"net/http"
	"reflect"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch/service"
)

// The ingest routes read the body themselves (RawBody): unknown fields are
// ignored, so that older servers accept newer agents, and the raw payload is what audit_logs keeps.
type ingestInput struct {
	RawBody []byte `contentType:"application/json"`
}

type composerLockInput struct {
	SnapshotID string `query:"snapshot_id" maxLength:"100" doc:"Client-made id; the same id twice is stored once"`
	RawBody    []byte `contentType:"application/json"`
}

// Accepted202 is the answer to a push.
type Accepted202 struct {
	Status int
	Body   Envelope[*service.Accepted]
}

func accepted(a *service.Accepted, err error) (*Accepted202, error) {
	if err != nil {
		return nil, err
	}
	return &Accepted202{Status: http.StatusAccepted, Body: Envelope[*service.Accepted]{Data: a}}, nil
}

func (s *Server) registerIngestRoutes() {
	tags := []string{"ingest"}
	op := func(id, path, summary, desc string) huma.Operation {
		return huma.Operation{
			OperationID: id, Method: http.MethodPost, Path: Prefix + "/ingest" + path, Tags: tags,
			Summary: summary, Description: desc + " Answers 202 with the id of its audit log once the payload is durably stored; " +
				"a worker applies it shortly after. Unknown fields are ignored. Takes a site key. " +
				"While the database cannot be reached it answers 503, and while its disk is full 507, each with Retry-After: " +
				"nothing was stored, so push the same payload again after that many seconds (its id makes a repeat harmless).",
			DefaultStatus: http.StatusAccepted, MaxBodyBytes: service.MaxPayloadBytes, SkipValidateBody: true,
			Errors: []int{http.StatusRequestEntityTooLarge, http.StatusBadRequest, http.StatusServiceUnavailable, http.StatusInsufficientStorage},
		}
	}
	register(s, op("push-inventory", "/inventory", "Push a site's inventory",
		"The projects a site runs, at which versions, with its Drupal core and PHP versions (the schema below)."), AccessSite,
		func(ctx context.Context, in *ingestInput) (*Accepted202, error) {
			return accepted(s.Ingest.AcceptInventory(ctx, in.RawBody))
		})
	register(s, op("push-composer-lock", "/composer-lock", "Push a site's composer.lock",
		"The composer.lock as it is; its drupal/* packages become the inventory."), AccessSite,
		func(ctx context.Context, in *composerLockInput) (*Accepted202, error) {
			return accepted(s.Ingest.AcceptComposerLock(ctx, in.RawBody, in.SnapshotID))
		})
	register(s, op("push-patch-run", "/patch-runs", "Push a patch run",
		"A round of updates the site applied."), AccessSite,
		func(ctx context.Context, in *ingestInput) (*Accepted202, error) {
			return accepted(s.Ingest.AcceptPatchRun(ctx, in.RawBody))
		})
	register(s, huma.Operation{
		OperationID: "get-site-standing", Method: http.MethodGet, Path: Prefix + "/ingest/standing", Tags: tags,
		Summary: "Get the calling site's standing",
		Description: "What Fleetwatch sees outstanding for the site whose key calls: its open security updates, how many are past " +
			"their SLA deadline, and the nearest deadline. Takes a site key, which reads only its own site (a connector's status report).",
	}, AccessSite, func(ctx context.Context, _ *struct{}) (*One[*service.SiteStanding], error) {
		st, err := s.Exposures.SiteStanding(ctx)
		if err != nil {
			return nil, err
		}
		return one(st), nil
	})
	// Document the bodies the handlers decode themselves, and the
	// Retry-After of the outage answers.
	oapi := s.api.OpenAPI()
	for _, path := range []string{"/inventory", "/composer-lock", "/patch-runs"} {
		item := oapi.Paths[Prefix+"/ingest"+path]
		if item == nil || item.Post == nil {
			continue
		}
		for _, status := range []string{"503", "507"} {
			if r := item.Post.Responses[status]; r != nil {
				r.Headers = map[string]*huma.Header{"Retry-After": {
					Description: "Seconds to wait before pushing the payload again",
					Schema:      &huma.Schema{Type: huma.TypeInteger},
				}}
			}
		}
	}
	reg := oapi.Components.Schemas
	for path, t := range map[string]reflect.Type{
		"/inventory":  reflect.TypeOf(service.InventoryPayload{}),
		"/patch-runs": reflect.TypeOf(service.PatchRunPayload{}),
	} {
		if item := oapi.Paths[Prefix+"/ingest"+path]; item != nil && item.Post != nil && item.Post.RequestBody != nil {
			if mt := item.Post.RequestBody.Content["application/json"]; mt != nil {
				mt.Schema = reg.Schema(t, true, "")
			}
		}
	}
}
