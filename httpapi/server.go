package httpapi

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humachi"
	"github.com/fleetwatch/fleetwatch"
	"github.com/fleetwatch/fleetwatch/service"
	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Prefix is where the API lives.
const Prefix = "/api/v1"

// Config holds what the server needs.
type Config struct {
	Logger    *slog.Logger
	PublicURL string // scheme://host[:port], no trailing slash
	Version   string
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; empty: the TCP peer is the client.
	TrustedProxies []netip.Prefix

	// Services answer the operations (service.New wires them); a route
	// whose service is nil must not be called.
	*service.Services

	// Ready lists the checks of /readyz (database, Redis).
	Ready map[string]func(context.Context) error
	// Registry collects the metrics served at /metrics; a new one when nil.
	Registry *prometheus.Registry
	// CSVExportLimit is the most rows one CSV export holds;
	// DefaultCSVExportLimit when 0.
	CSVExportLimit int
	// Dashboard serves everything outside the API; a 404 when nil.
	Dashboard http.Handler
}

// Server is the HTTP face of Fleetwatch.
type Server struct {
	Config
	router    chi.Router
	api       huma.API
	logger    *slog.Logger
	publicURL string
	metrics   *metrics
	// siteModules keeps encoded answers of the site module lists.
	siteModules *pageCache

	// The event streams' shared heartbeat and last encoded event.
	heartbeatOnce sync.Once
	hb            atomic.Pointer[heartbeat]
	lastFrame     atomic.Pointer[encodedEvent]
}

// New builds the server and registers every route.
func New(cfg Config) *Server {
	installHumaErrors()
	if cfg.Services == nil {
		cfg.Services = &service.Services{}
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	s := &Server{Config: cfg, logger: cfg.Logger, publicURL: strings.TrimRight(cfg.PublicURL, "/")}
	s.metrics = newMetrics(cfg.Registry)
	s.siteModules = newPageCache(defaultPageCacheBytes)

	r := chi.NewRouter()
	r.Use(s.withRequestInfo, s.logAndMeasure, s.withValidText, withCSVFormat, securityHeaders)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		if s.Dashboard != nil && !underAPI(r.URL.Path) {
			s.serveDashboard(w, r)
			return
		}
		writeError(w, r, newError(r.Context(), http.StatusNotFound, fleetwatch.ENOTFOUND, "No route matches "+r.Method+" "+r.URL.Path+"."), s.logger)
	})
	r.MethodNotAllowed(s.methodNotAllowed)
	r.Get("/healthz", s.handleHealth)
	r.Get("/readyz", s.handleReady)
	r.Handle("/metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{}))
	r.Get(Prefix+"/docs", serveDocs)
	r.Get(Prefix+"/docs.js", serveDocsJS)
	r.Get(Prefix+"/docs.css", serveDocsCSS)

	hc := huma.DefaultConfig("Fleetwatch API", cfg.Version)
	hc.Info.Description = "Fleetwatch watches fleets of Drupal sites: which updates are available, which security updates are outstanding, and whether the patching SLA is met."
	hc.OpenAPIPath = Prefix + "/openapi"
	hc.DocsPath = ""
	hc.SchemasPath = Prefix + "/schemas"
	hc.CreateHooks = nil // no $schema links in bodies
	hc.Formats = map[string]huma.Format{
		"application/json": jsonFormat,
		"json":             jsonFormat,
		csvType:            csvFormat,
		"csv":              csvFormat,
	}
	hc.Servers = []*huma.Server{{URL: s.publicURL}}
	hc.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", BearerFormat: "JWT or API key"},
		"apiKey": {Type: "apiKey", In: "header", Name: "X-API-Key"},
	}
	s.api = humachi.New(r, hc)
	// A ticket of GET /events stands in for the Authorization header.
	s.api.UseMiddleware(s.redeemEventTicket)
	s.api.UseMiddleware(s.authenticate)
	s.router = r

	s.registerAuthRoutes()
	s.registerOrganizationRoutes()
	s.registerUserRoutes()
	s.registerSiteRoutes()
	s.registerActivityRoutes()
	s.registerAPIKeyRoutes()
	s.registerReportRoutes()
	// Every route is registered whatever services are set, so that the
	// OpenAPI document (and the isolation test walking it) is always whole;
	// a server built for a test without a service must not call its routes.
	s.registerIngestRoutes()
	s.registerAuditLogRoutes()
	s.registerModuleRoutes()
	s.registerPatchRunRoutes()
	s.registerExposureRoutes()
	s.registerAcceptanceRoutes()
	s.registerFeedRoutes()
	s.registerEventRoutes()
	s.registerSLARoutes()
	s.registerDeliveryRoutes()
	s.registerSSORoutes()
	allowNullInEnums(s.api.OpenAPI())
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

// OpenAPI returns the API's OpenAPI document.
func (s *Server) OpenAPI() *huma.OpenAPI { return s.api.OpenAPI() }

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"data":{"status":"ok"}}` + "\n"))
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	checks := map[string]string{}
	ok := true
	for name, check := range s.Ready {
		if err := check(ctx); err != nil {
			s.logger.WarnContext(ctx, "readiness check failed", "check", name, "err", err)
			checks[name] = "unavailable"
			ok = false
		} else {
			checks[name] = "ok"
		}
	}
	if !ok {
		resp := newError(r.Context(), http.StatusServiceUnavailable, "unavailable", "Not ready: "+joinFailed(checks)+".")
		writeError(w, r, resp, s.logger)
		return
	}
	writeJSON(w, http.StatusOK, Envelope[map[string]any]{Data: map[string]any{"status": "ready", "checks": checks}})
}

func joinFailed(checks map[string]string) string {
	var failed []string
	for name, st := range checks {
		if st != "ok" {
			failed = append(failed, name+" unreachable")
		}
	}
	return strings.Join(failed, ", ")
}
