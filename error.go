package fleetwatch

import (
	"errors"
	"fmt"
)

// Error codes of user-facing errors. httpapi maps each to one HTTP status.
const (
	ECONFLICT       = "conflict"              // the request conflicts with existing data (a taken e-mail)
	EINTERNAL       = "internal"              // anything that is not the caller's fault
	EINVALID        = "validation_failed"     // the input is invalid
	ENOTFOUND       = "not_found"             // no such thing, or not visible to the caller
	EUNAUTHORIZED   = "unauthorized"          // no or bad credentials
	EFORBIDDEN      = "forbidden"             // credentials are fine, the action is not allowed
	ETOOMANYREQUEST = "too_many_requests"     // rate limited
	ETOOLARGE       = "payload_too_large"     // a body over the route's limit
	EUNAVAILABLE    = "unavailable"           // a server Fleetwatch needs (the database) cannot be reached for now: try again
	ESTORAGEFULL    = "insufficient_storage"  // the database has no room left: nothing was stored
	EORGINACTIVE    = "organization_inactive" // the credentials belong to an organization that was deactivated
)

// ErrOrganizationInactive answers a key, token or push of an organization
// that is deactivated: nothing it sends is stored until it is active again.
var ErrOrganizationInactive = Errorf(EORGINACTIVE, "The organization is inactive: its keys and sign-ins are refused until a platform admin reactivates it.")

// FieldError is one invalid field of a request. Pointer is a JSON pointer to
// the field ("/email") or the name of a query parameter ("per_page").
type FieldError struct {
	Pointer   string
	Parameter string
	Message   string
}

// Error is an error meant for the user of the API. Its Message is safe to show;
// internal errors are never of this type.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
	// RetryAfter is the number of seconds a rate-limited caller, or one
	// that met an unavailable database, should wait before trying again.
	RetryAfter int
}

// Error implements the error interface.
func (e *Error) Error() string {
	return fmt.Sprintf("fleetwatch error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err's *Error, EINTERNAL for any other error and
// "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err, or a generic message
// for internal errors so that no internal text reaches a client.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Validation collects the invalid fields of one request so that all of them
// are reported at once.
type Validation struct {
	Fields []FieldError
}

// Add records an invalid body field at the JSON pointer.
func (v *Validation) Add(pointer, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Pointer: pointer, Message: fmt.Sprintf(format, args...)})
}

// AddParam records an invalid query or path parameter.
func (v *Validation) AddParam(name, format string, args ...any) {
	v.Fields = append(v.Fields, FieldError{Parameter: name, Message: fmt.Sprintf(format, args...)})
}

// Err returns nil when nothing was added, else an EINVALID *Error listing the fields.
func (v *Validation) Err() error {
	if len(v.Fields) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Message: v.Fields[0].Message, Fields: v.Fields}
}
