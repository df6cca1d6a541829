package main

import (
	"errors"
	"strings"

	"github.com/fleetwatch/fleetwatch"
)

// describeError turns a domain error into a message for the shell, listing
// every invalid field.
func describeError(err error) error {
	var fe *fleetwatch.Error
	if !errors.As(err, &fe) {
		return err
	}
	if len(fe.Fields) == 0 {
		return errors.New(fe.Message)
	}
	var msgs []string
	for _, f := range fe.Fields {
		msgs = append(msgs, f.Message)
	}
	return errors.New(strings.Join(msgs, "; "))
}
