package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
)

// HeartbeatInterval is how often an idle event stream gets a comment, so
// that proxies and clients know it is alive, unless Events.Heartbeat says
// otherwise.
const HeartbeatInterval = 15 * time.Second

const streamEventsOp = "stream-events"

// EventTicket is the answer of POST /events/ticket.
type EventTicket struct {
	Ticket    string    `json:"ticket" doc:"Pass as ?ticket= to GET /api/v1/events; single use"`
	ExpiresAt time.Time `json:"expires_at"`
	URL       string    `json:"url" doc:"The stream's URL with the ticket"`
}

type eventTicketInput struct {
	Authorization string `header:"Authorization" doc:"Bearer token the ticket stands for"`
	APIKey        string `header:"X-API-Key"`
}

type streamEventsInput struct {
	LastEventID      string `header:"Last-Event-ID" maxLength:"64" doc:"Resume after this event (EventSource sends it on reconnect)"`
	LastEventIDQuery string `query:"last_event_id" maxLength:"64" doc:"Resume after this event, for clients that cannot send Last-Event-ID"`
	Ticket           string `query:"ticket" maxLength:"100" doc:"A ticket from POST /api/v1/events/ticket, instead of the Authorization header (browsers' EventSource)"`
}

type listDeliveriesInput struct {
	ListParams
	Channel string `query:"channel" enum:"email,webhook"`
	Status  string `query:"status" enum:"pending,sent,failed"`
}

func (s *Server) registerEventRoutes() {
	tags := []string{"events"}
	register(s, huma.Operation{
		OperationID: "create-event-ticket", Method: http.MethodPost, Path: Prefix + "/events/ticket", Tags: tags,
		Summary:       "A short-lived, single-use ticket to open the event stream from a browser",
		Description:   "EventSource cannot send an Authorization header: pass the ticket as `?ticket=` to `GET /api/v1/events` within 30 seconds.",
		DefaultStatus: http.StatusCreated,
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *eventTicketInput) (*One[*EventTicket], error) {
		cred := bearerToken(in.Authorization)
		if cred == "" {
			cred = strings.TrimSpace(in.APIKey)
		}
		ticket, exp, err := s.Events.IssueTicket(ctx, cred)
		if err != nil {
			return nil, err
		}
		return one(&EventTicket{Ticket: ticket, ExpiresAt: exp, URL: s.publicURL + Prefix + "/events?ticket=" + ticket}), nil
	})

	stream := huma.Operation{
		OperationID: streamEventsOp, Method: http.MethodGet, Path: Prefix + "/events", Tags: tags,
		Summary: "Stream events (Server-Sent Events)",
		Description: "Streams `snapshot.processed`, `exposure.opened`, `exposure.resolved`, `sla.breached` and `patch_run.recorded` " +
			"events of your organization (all of them for an admin) as Server-Sent Events: `id`, `event` (the type) and `data` " +
			"(the event as JSON). A comment is sent every 15 s while idle. Reconnect with `Last-Event-ID` (or `?last_event_id=`) " +
			"to receive what you missed, within a bounded window. A client that falls too far behind is disconnected and " +
			"should reconnect the same way. Authenticate with the Authorization header, or with `?ticket=` from " +
			"`POST /api/v1/events/ticket`.",
		Responses: map[string]*huma.Response{"200": {
			Description: "An endless text/event-stream",
			Content:     map[string]*huma.MediaType{"text/event-stream": {Schema: &huma.Schema{Type: "string"}}},
		}},
	}
	register(s, stream, fleetwatch.RoleViewer, func(ctx context.Context, in *streamEventsInput) (*huma.StreamResponse, error) {
		last := in.LastEventID
		if last == "" {
			last = in.LastEventIDQuery
		}
		sub, err := s.Events.Subscribe(ctx, last)
		if err != nil {
			return nil, err
		}
		return &huma.StreamResponse{Body: func(hctx huma.Context) {
			s.streamEvents(hctx, sub)
		}}, nil
	})
}

func (s *Server) registerDeliveryRoutes() {
	register(s, huma.Operation{
		OperationID: "list-notification-deliveries", Method: http.MethodGet, Path: Prefix + "/auth/me/notification-deliveries",
		Tags: []string{"auth"}, Summary: "The signed-in user's notification delivery log",
	}, fleetwatch.RoleViewer, func(ctx context.Context, in *listDeliveriesInput) (*Many[*fleetwatch.NotificationDelivery], error) {
		opts, err := service.ListOptions(in.Page, in.PerPage, in.Sort, in.Q, fleetwatch.DeliverySortFields, fleetwatch.SortField{Field: "created_at", Desc: true})
		if err != nil {
			return nil, err
		}
		items, total, err := s.Notifier.Deliveries(ctx, fleetwatch.DeliveryFilter{ListOptions: opts, Channel: in.Channel, Status: in.Status})
		if err != nil {
			return nil, err
		}
		return listPage(s, ctx, items, total, in.ListParams), nil
	})
}

// redeemEventTicket lets GET /events authenticate with ?ticket=: it swaps a
// valid ticket for the credential it stands for, which the authentication
// middleware then checks like an Authorization header. It must run before
// authenticate.
func (s *Server) redeemEventTicket(hctx huma.Context, next func(huma.Context)) {
	if hctx.Operation().OperationID != streamEventsOp || s.Events == nil {
		next(hctx)
		return
	}
	ticket := hctx.Query("ticket")
	if ticket == "" || hctx.Header("Authorization") != "" || hctx.Header("X-API-Key") != "" {
		next(hctx)
		return
	}
	cred, err := s.Events.RedeemTicket(hctx.Context(), ticket)
	if err != nil {
		s.writeHumaError(hctx, s.Problem(hctx.Context(), err).(*ErrorResponse))
		return
	}
	next(ticketContext{humaContext: hctx, authorization: "Bearer " + cred})
}

// ticketContext is a request whose Authorization header is the credential a
// ticket stood for.
type ticketContext struct {
	humaContext
	authorization string
}

// humaContext names huma.Context for embedding: its Context method would
// clash with a field called Context.
type humaContext = huma.Context

// Header returns the request header, with the ticket's credential as
// Authorization.
func (c ticketContext) Header(name string) string {
	if strings.EqualFold(name, "Authorization") {
		return c.authorization
	}
	return c.humaContext.Header(name)
}
