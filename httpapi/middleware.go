package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/prometheus/client_golang/prometheus"
)

type requestKey struct{}

// requestInfo is what the HTTP layer keeps about a request for later layers.
type requestInfo struct {
	id         string
	url        *url.URL
	remoteAddr string
	csv        bool        // the answer may be CSV (Accept or ?format=csv)
	export     *exportInfo // the size of a CSV export, for its headers
}

// RequestIDFromContext returns the id of the request, or "".
func RequestIDFromContext(ctx context.Context) string {
	if ri, ok := ctx.Value(requestKey{}).(*requestInfo); ok {
		return ri.id
	}
	return ""
}

func requestInfoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(requestKey{}).(*requestInfo)
	if ri == nil {
		ri = &requestInfo{url: &url.URL{}}
	}
	return ri
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestInfo gives every request an id (the caller's X-Request-ID when
// it is sane), echoes it in the response and keeps it in the context with
// the client's address: the one place that address is worked out (see
// clientAddr), for rate limits, sessions and the activity trail.
func (s *Server) withRequestInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !validRequestID.MatchString(id) {
			b := make([]byte, 12)
			_, _ = rand.Read(b)
			id = hex.EncodeToString(b)
		}
		w.Header().Set("X-Request-ID", id)
		ri := &requestInfo{id: id, url: r.URL, remoteAddr: clientAddr(r.RemoteAddr, r.Header.Values("X-Forwarded-For"), s.TrustedProxies)}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestKey{}, ri)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Flush lets streaming responses (server-sent events) through.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// metrics are the server's Prometheus collectors.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fleetwatch_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "fleetwatch_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route", "method"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// logAndMeasure logs each request once and records its metrics; it also
// turns a panic into a 500 in the error shape.
func (s *Server) logAndMeasure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.logger.ErrorContext(r.Context(), "panic", "panic", p, "stack", string(debug.Stack()), "request_id", RequestIDFromContext(r.Context()))
				if rec.status == 0 {
					writeError(rec, r, newError(r.Context(), http.StatusInternalServerError, "internal", "An internal error occurred. Quote the request id when you report it."), s.logger)
				}
			}
			route := chi.RouteContext(r.Context()).RoutePattern()
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			elapsed := time.Since(start)
			s.metrics.requests.WithLabelValues(route, r.Method, strconv.Itoa(status)).Inc()
			s.metrics.duration.WithLabelValues(route, r.Method).Observe(elapsed.Seconds())
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			if s.logger.Enabled(r.Context(), level) {
				s.logger.Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "status", status,
					"bytes", rec.bytes, "duration_ms", float64(elapsed.Microseconds())/1000, "request_id", RequestIDFromContext(r.Context()))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
