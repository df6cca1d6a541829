package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/fleetwatch/fleetwatch/agent"
)

const agentUsage = "usage: fleetwatch agent push --server URL --key KEY (--drupal-root DIR | --composer-lock FILE)\n"

// runAgent runs `fleetwatch agent push`: collect the inventory of a Drupal
// host and push it.
func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "push" {
		fmt.Fprint(stderr, agentUsage)
		return flag.ErrHelp
	}
	fs := flag.NewFlagSet("fleetwatch agent push", flag.ContinueOnError)
	fs.SetOutput(stderr)
	str := func(name, usage string) *string {
		return fs.String(name, envString(name, ""), usage+" ("+envName(name)+")")
	}
	server := str("server", "the Fleetwatch server, https://…")
	key := str("key", "the site's API key, fwk_…")
	root := str("drupal-root", "the Drupal root (the folder with index.php)")
	lock := str("composer-lock", "a composer.lock to read instead of asking drush")
	drush := str("drush", "the drush executable; default: vendor/bin/drush or drush on PATH; none: never")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of each attempt")
	retries := fs.Int("retries", 4, "further attempts on network errors, 429 and 5xx, with doubling backoff")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	var problems []string
	if *server == "" {
		problems = append(problems, "--server is required")
	}
	if *key == "" {
		problems = append(problems, "--key is required")
	}
	if (*root == "") == (*lock == "") {
		problems = append(problems, "pass exactly one of --drupal-root and --composer-lock")
	}
	if len(problems) > 0 {
		fmt.Fprint(stderr, agentUsage)
		return errors.New("invalid arguments: " + fmt.Sprint(problems))
	}
	inv, err := agent.Collect(ctx, agent.Source{DrupalRoot: *root, ComposerLock: *lock, Drush: *drush})
	if err != nil {
		return fmt.Errorf("collect inventory: %w", err)
	}
	p := &agent.Pusher{Server: *server, Key: *key, Timeout: *timeout, Retries: *retries,
		Logf: func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }}
	res, err := p.Push(ctx, inv)
	if err != nil {
		return fmt.Errorf("push inventory: %w", err)
	}
	note := ""
	if res.Duplicate {
		note = " (already received)"
	}
	fmt.Fprintf(stdout, "pushed %d projects of Drupal %s: audit log %s, %s%s\n", len(inv.Modules), inv.Drupal.CoreVersion, res.ID, res.Status, note)
	return nil
}
