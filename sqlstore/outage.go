package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"io"

	"github.com/fleetwatch/fleetwatch"
)

// Every connection of both pools goes through outageConnector, which turns
// the driver errors that mean "the database is down" or "the disk is full"
// into the domain's EUNAVAILABLE and ESTORAGEFULL, whatever store method met
// them. The API answers those with 503 or 507 and Retry-After instead of a
// 500, so that an agent pushes again later; the cause stays wrapped for the
// log. Each dialect's classify says which errors those are.

// retryAfterUnavailable and retryAfterFull are the Retry-After seconds of
// the two answers: a database restart takes seconds, freeing disk space an
// operator's minutes.
const (
	retryAfterUnavailable = 5
	retryAfterFull        = 60
)

// outageError is the domain error of an outage, with the driver's error as
// its cause.
type outageError struct {
	domain *fleetwatch.Error
	cause  error
}

func (e *outageError) Error() string   { return e.domain.Message + ": " + e.cause.Error() }
func (e *outageError) Unwrap() []error { return []error{e.domain, e.cause} }

// outage returns err as an EUNAVAILABLE or ESTORAGEFULL error when classify
// says it is one, else err itself. driver.ErrBadConn and driver.ErrSkip stay
// as they are, since database/sql acts on them (a bad connection is
// retried on a new one, whose Connect then reports the outage), and so do
// io.EOF (the end of rows) and the context's errors: a caller that gave up
// is no outage.
func outage(classify func(error) string, err error) error {
	if err == nil || err == io.EOF || errors.Is(err, driver.ErrBadConn) || errors.Is(err, driver.ErrSkip) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var fe *fleetwatch.Error
	if errors.As(err, &fe) {
		return err
	}
	switch classify(err) {
	case fleetwatch.EUNAVAILABLE:
		return &outageError{domain: &fleetwatch.Error{Code: fleetwatch.EUNAVAILABLE,
			Message: "The database cannot be reached. Try again shortly.", RetryAfter: retryAfterUnavailable}, cause: err}
	case fleetwatch.ESTORAGEFULL:
		return &outageError{domain: &fleetwatch.Error{Code: fleetwatch.ESTORAGEFULL,
			Message: "The database's disk is full; nothing was stored. Try again once an operator has freed space.", RetryAfter: retryAfterFull}, cause: err}
	}
	return err
}

// outageConnector wraps a driver's connector.
type outageConnector struct {
	driver.Connector
	classify func(error) string
}

func (c outageConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, outage(c.classify, err)
	}
	return &outageConn{conn: conn, classify: c.classify}, nil
}

// outageConn forwards the optional interfaces that both drivers' connections
// implement, so that database/sql keeps using the context-aware methods.
type outageConn struct {
	conn     driver.Conn
	classify func(error) string
}

var (
	_ driver.ConnBeginTx        = (*outageConn)(nil)
	_ driver.ConnPrepareContext = (*outageConn)(nil)
	_ driver.ExecerContext      = (*outageConn)(nil)
	_ driver.QueryerContext     = (*outageConn)(nil)
	_ driver.Pinger             = (*outageConn)(nil)
	_ driver.SessionResetter    = (*outageConn)(nil)
	_ driver.Validator          = (*outageConn)(nil)
	_ driver.NamedValueChecker  = (*outageConn)(nil)
)

// Unwrap returns the driver's connection (modernc.org/sqlite looks through
// wrappers with it).
func (c *outageConn) Unwrap() driver.Conn { return c.conn }

func (c *outageConn) Prepare(query string) (driver.Stmt, error) {
	st, err := c.conn.Prepare(query)
	return st, outage(c.classify, err)
}

func (c *outageConn) Close() error { return c.conn.Close() }

func (c *outageConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *outageConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	b, ok := c.conn.(driver.ConnBeginTx)
	if !ok {
		return nil, errors.New("sqlstore: the driver has no BeginTx")
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, outage(c.classify, err)
	}
	return outageTx{tx: tx, classify: c.classify}, nil
}

func (c *outageConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	p, ok := c.conn.(driver.ConnPrepareContext)
	if !ok {
		return c.Prepare(query)
	}
	st, err := p.PrepareContext(ctx, query)
	return st, outage(c.classify, err)
}

func (c *outageConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, ok := c.conn.(driver.ExecerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	res, err := e.ExecContext(ctx, query, args)
	return res, outage(c.classify, err)
}

func (c *outageConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	q, ok := c.conn.(driver.QueryerContext)
	if !ok {
		return nil, driver.ErrSkip
	}
	rows, err := q.QueryContext(ctx, query, args)
	if err != nil {
		return nil, outage(c.classify, err)
	}
	return outageRows{Rows: rows, classify: c.classify}, nil
}

func (c *outageConn) Ping(ctx context.Context) error {
	if p, ok := c.conn.(driver.Pinger); ok {
		return outage(c.classify, p.Ping(ctx))
	}
	return nil
}

func (c *outageConn) ResetSession(ctx context.Context) error {
	if r, ok := c.conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *outageConn) IsValid() bool {
	if v, ok := c.conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *outageConn) CheckNamedValue(nv *driver.NamedValue) error {
	if ch, ok := c.conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// outageRows reports an outage met while reading rows (SQLite writes an
// INSERT … RETURNING's pages as it steps through them).
type outageRows struct {
	driver.Rows
	classify func(error) string
}

func (r outageRows) Next(dest []driver.Value) error { return outage(r.classify, r.Rows.Next(dest)) }

// outageTx reports an outage at commit.
type outageTx struct {
	tx       driver.Tx
	classify func(error) string
}

func (t outageTx) Commit() error   { return outage(t.classify, t.tx.Commit()) }
func (t outageTx) Rollback() error { return t.tx.Rollback() }
