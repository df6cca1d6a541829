// Command fleetwatch-openapi prints the API's OpenAPI 3.1 document as JSON on
// standard output, without a database: the dashboard's TypeScript types are
// generated from it (web/: npm run gen:api).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/fleetwatch/fleetwatch/httpapi"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fleetwatch-openapi:", err)
		os.Exit(1)
	}
}

// run registers every route on a server without services (handlers are only
// called per request, so none is needed to describe them) and prints the
// document. The server URL is a fixed placeholder so the output is stable.
func run(w io.Writer) error {
	srv := httpapi.New(httpapi.Config{
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		PublicURL: "http://127.0.0.1:8080",
		Version:   "dev",
	})
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(srv.OpenAPI()); err != nil {
		return fmt.Errorf("encode openapi: %w", err)
	}
	return nil
}
