package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/danielgtaylor/huma/v2"
	"github.com/fleetwatch/fleetwatch"
)

// ErrorObject is one entry of an error response.
type ErrorObject struct {
	Status string       `json:"status" doc:"HTTP status code as a string"`
	Code   string       `json:"code" doc:"Stable machine-readable code"`
	Title  string       `json:"title" doc:"Short summary of the kind of error"`
	Detail string       `json:"detail,omitempty" doc:"What went wrong, in words"`
	Source *ErrorSource `json:"source,omitempty"`
}

// ErrorSource points at the part of the request an error is about.
type ErrorSource struct {
	Pointer   string `json:"pointer,omitempty" doc:"JSON pointer into the request body"`
	Parameter string `json:"parameter,omitempty" doc:"Name of the query, path or header parameter"`
}

// ErrorMeta carries the request id, which also appears in the server's logs.
type ErrorMeta struct {
	RequestID string `json:"request_id"`
}

// ErrorResponse is the body of every error answer.
type ErrorResponse struct {
	status     int
	retryAfter int
	Errors     []ErrorObject `json:"errors"`
	Meta       ErrorMeta     `json:"meta"`
}

// Error implements error.
func (e *ErrorResponse) Error() string {
	if len(e.Errors) == 0 {
		return http.StatusText(e.status)
	}
	return e.Errors[0].Detail
}

// GetStatus implements huma.StatusError.
func (e *ErrorResponse) GetStatus() int { return e.status }

// GetHeaders implements huma.HeadersError (Retry-After on 429, 503 and 507,
// the authentication scheme on 401).
func (e *ErrorResponse) GetHeaders() http.Header {
	h := http.Header{}
	if e.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.retryAfter))
	}
	if e.status == http.StatusUnauthorized {
		h.Set("WWW-Authenticate", `Bearer realm="fleetwatch"`)
	}
	return h
}

// codes maps domain error codes to HTTP statuses, in one place.
var codes = map[string]int{
	fleetwatch.ECONFLICT:       http.StatusConflict,
	fleetwatch.EINVALID:        http.StatusUnprocessableEntity,
	fleetwatch.ENOTFOUND:       http.StatusNotFound,
	fleetwatch.EUNAUTHORIZED:   http.StatusUnauthorized,
	fleetwatch.EFORBIDDEN:      http.StatusForbidden,
	fleetwatch.ETOOMANYREQUEST: http.StatusTooManyRequests,
	fleetwatch.ETOOLARGE:       http.StatusRequestEntityTooLarge,
	fleetwatch.EINTERNAL:       http.StatusInternalServerError,
	fleetwatch.EUNAVAILABLE:    http.StatusServiceUnavailable,
	fleetwatch.ESTORAGEFULL:    http.StatusInsufficientStorage,
	fleetwatch.EORGINACTIVE:    http.StatusForbidden,
}

// statusCodes gives the code of an error the HTTP layer itself raises.
var statusCodes = map[int]string{
	http.StatusBadRequest:            "bad_request",
	http.StatusUnauthorized:          fleetwatch.EUNAUTHORIZED,
	http.StatusForbidden:             fleetwatch.EFORBIDDEN,
	http.StatusNotFound:              fleetwatch.ENOTFOUND,
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusNotAcceptable:         "not_acceptable",
	http.StatusConflict:              fleetwatch.ECONFLICT,
	http.StatusRequestEntityTooLarge: fleetwatch.ETOOLARGE,
	http.StatusUnsupportedMediaType:  "unsupported_media_type",
	http.StatusUnprocessableEntity:   fleetwatch.EINVALID,
	http.StatusTooManyRequests:       fleetwatch.ETOOMANYREQUEST,
	http.StatusInternalServerError:   fleetwatch.EINTERNAL,
	http.StatusServiceUnavailable:    fleetwatch.EUNAVAILABLE,
	http.StatusInsufficientStorage:   fleetwatch.ESTORAGEFULL,
}

func codeForStatus(status int) string {
	if c, ok := statusCodes[status]; ok {
		return c
	}
	return strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_")
}

func titleFor(code string, status int) string {
	switch code {
	case fleetwatch.EINVALID:
		return "Invalid field"
	case "bad_request":
		return "Malformed request"
	}
	return http.StatusText(status)
}

// newError builds the error response of a status and message.
func newError(ctx context.Context, status int, code, detail string) *ErrorResponse {
	return &ErrorResponse{
		status: status,
		Errors: []ErrorObject{{Status: strconv.Itoa(status), Code: code, Title: titleFor(code, status), Detail: detail}},
		Meta:   ErrorMeta{RequestID: RequestIDFromContext(ctx)},
	}
}

// Problem turns a service error into the API's error response. Domain errors
// keep their message; anything else is logged once and answered with a
// generic 500 so that internal text never reaches a client. An unreachable or
// full database (EUNAVAILABLE, ESTORAGEFULL, which the store reports) is a
// 503 or 507 with Retry-After, so that agents push again later.
func (s *Server) Problem(ctx context.Context, err error) error {
	var fe *fleetwatch.Error
	if !errors.As(err, &fe) {
		if errors.Is(err, context.Canceled) {
			return newError(ctx, 499, "client_closed_request", "The client closed the request.")
		}
		s.logger.ErrorContext(ctx, "internal error", "err", err, "request_id", RequestIDFromContext(ctx))
		return newError(ctx, http.StatusInternalServerError, fleetwatch.EINTERNAL, "An internal error occurred. Quote the request id when you report it.")
	}
	status := codes[fe.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		// The cause (which database error) is for the operator, not the client.
		s.logger.WarnContext(ctx, "request failed", "status", status, "err", err, "request_id", RequestIDFromContext(ctx))
	}
	resp := &ErrorResponse{status: status, retryAfter: fe.RetryAfter, Meta: ErrorMeta{RequestID: RequestIDFromContext(ctx)}}
	if len(fe.Fields) == 0 {
		resp.Errors = []ErrorObject{{Status: strconv.Itoa(status), Code: fe.Code, Title: titleFor(fe.Code, status), Detail: fe.Message}}
		return resp
	}
	for _, f := range fe.Fields {
		obj := ErrorObject{Status: strconv.Itoa(status), Code: fe.Code, Title: titleFor(fe.Code, status), Detail: f.Message}
		if f.Pointer != "" || f.Parameter != "" {
			obj.Source = &ErrorSource{Pointer: f.Pointer, Parameter: f.Parameter}
		}
		resp.Errors = append(resp.Errors, obj)
	}
	return resp
}

var installErrorsOnce sync.Once

// installHumaErrors makes huma's own errors (validation, malformed bodies,
// 413, 415) use the API's error shape. huma offers only a package-level hook;
// it is set once, to a function without state of its own.
func installHumaErrors() {
	installErrorsOnce.Do(func() {
		huma.NewErrorWithContext = func(hctx huma.Context, status int, msg string, errs ...error) huma.StatusError {
			var ctx context.Context = context.Background()
			if hctx != nil {
				ctx = hctx.Context()
			}
			return humaError(ctx, status, msg, errs...)
		}
		huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
			return humaError(context.Background(), status, msg, errs...)
		}
	})
}

func humaError(ctx context.Context, status int, msg string, errs ...error) huma.StatusError {
	code := codeForStatus(status)
	resp := &ErrorResponse{status: status, Meta: ErrorMeta{RequestID: RequestIDFromContext(ctx)}}
	for _, err := range errs {
		if err == nil {
			continue
		}
		var se *ErrorResponse
		if errors.As(err, &se) {
			return se
		}
		obj := ErrorObject{Status: strconv.Itoa(status), Code: code, Title: titleFor(code, status), Detail: err.Error()}
		var d *huma.ErrorDetail
		if errors.As(err, &d) {
			obj.Detail, obj.Source = describeDetail(status, d)
		}
		resp.Errors = append(resp.Errors, obj)
	}
	if len(resp.Errors) == 0 {
		detail := msg
		if status >= 500 {
			detail = "An internal error occurred. Quote the request id when you report it."
		} else if detail != "" {
			detail = strings.ToUpper(detail[:1]) + detail[1:] + "."
		}
		resp.Errors = []ErrorObject{{Status: strconv.Itoa(status), Code: code, Title: titleFor(code, status), Detail: detail}}
	}
	return resp
}

// describeDetail turns a huma error detail ("body.email", "query.per_page")
// into words and a source, without echoing the request body back.
func describeDetail(status int, d *huma.ErrorDetail) (string, *ErrorSource) {
	loc := d.Location
	switch {
	case loc == "body" && status == http.StatusBadRequest:
		return "The request body is not valid JSON: " + jsonProblem(d.Message), nil
	case loc == "body" && status == http.StatusUnsupportedMediaType:
		return "Send the body as application/json.", nil
	case strings.HasPrefix(loc, "body"):
		if m := requiredProperty.FindStringSubmatch(d.Message); m != nil {
			loc += "." + m[1]
			d = &huma.ErrorDetail{Location: loc, Message: "is required"}
		}
		ptr := "/" + strings.NewReplacer(".", "/", "[", "/", "]", "").Replace(strings.TrimPrefix(strings.TrimPrefix(loc, "body"), "."))
		if ptr == "/" {
			ptr = ""
		}
		field := strings.TrimPrefix(ptr, "/")
		if field == "" {
			return "The body " + humanize(d.Message), &ErrorSource{Pointer: ptr}
		}
		return field + " " + humanize(d.Message), &ErrorSource{Pointer: ptr}
	case strings.Contains(loc, "."):
		name := loc[strings.Index(loc, ".")+1:]
		return name + " " + humanize(d.Message), &ErrorSource{Parameter: name}
	}
	return d.Message, nil
}

var requiredProperty = regexp.MustCompile(`^expected required property (\S+) to be present$`)

// humanize rewords huma's validation messages ("expected boolean") as
// sentences about the field ("must be a boolean").
func humanize(msg string) string {
	switch {
	case msg == "unexpected property":
		return "is not a known field"
	case strings.HasPrefix(msg, "expected "):
		return "must be " + strings.TrimPrefix(msg, "expected ")
	}
	return msg
}

// jsonProblem bounds the decoder's message, which never contains the body itself.
func jsonProblem(msg string) string {
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return msg
}

// writeError writes an error response outside huma (unknown routes, 405,
// panics, auth middleware before huma).
func writeError(w http.ResponseWriter, r *http.Request, resp *ErrorResponse, logger *slog.Logger) {
	w.Header().Set("Content-Type", "application/json")
	for k, v := range resp.GetHeaders() {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.status)
	if err := json.NewEncoder(w).Encode(resp); err != nil {
		logger.DebugContext(r.Context(), "write error response", "err", err)
	}
}
