// Command fleetwatch is the Fleetwatch server and its tools: serve, migrate,
// users create, version.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "fleetwatch:", err)
		os.Exit(1)
	}
}

const usage = `fleetwatch watches fleets of Drupal sites.

Usage:
  fleetwatch serve      run the API and the dashboard (migrates on start)
  fleetwatch migrate    apply database migrations and exit
  fleetwatch users create --email E --password P --role admin [--organization ORG_UUID]
  fleetwatch explain --feed FILE_OR_URL --project NAME --version V [--core-version V] [--datestamp UNIX] [--format json]
                        the update status of one installed version against one release-history feed, with the reasons
  fleetwatch explain --composer-package NAME --version V --advisories DIR [--format json]
                        the advisories (GitHub Advisory Database, FriendsOfPHP) that apply to one PHP library version
  fleetwatch agent push --server URL --key KEY (--drupal-root DIR | --composer-lock FILE)
  fleetwatch demo       fill the database with a demo fleet (3 organizations, a year of history) [--force]
  fleetwatch backup --to FILE
                        copy a SQLite database (while serve runs) and its secret key into an archive
  fleetwatch restore --from FILE [--force]
                        restore such an archive into the configured SQLite database
  fleetwatch version    print version and build info
  fleetwatch healthcheck [--addr HOST:PORT | --url URL]
                        exit 0 when the server answers GET /healthz with 200, else 1

Every flag has an environment variable FLEETWATCH_<NAME>; run a command with -h for its flags.
`

// run dispatches a command line; main and the end-to-end tests share it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], stdout, stderr)
	case "users":
		if len(args) < 2 || args[1] != "create" {
			fmt.Fprint(stderr, "usage: fleetwatch users create --email E --password P --role ROLE [--organization ORG_UUID]\n")
			return flag.ErrHelp
		}
		return runUsersCreate(ctx, args[2:], stdout, stderr)
	case "explain":
		return runExplain(ctx, args[1:], stdout, stderr)
	case "agent":
		return runAgent(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], stdout, stderr)
	case "backup":
		return runBackup(ctx, args[1:], stdout, stderr)
	case "restore":
		return runRestore(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, versionString())
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return flag.ErrHelp
}

// parseConfig parses the server settings of a command, plus its own flags.
func parseConfig(name string, args []string, stderr io.Writer, extra func(*flag.FlagSet)) (Config, error) {
	cfg := DefaultConfig()
	problems := cfg.applyEnv()
	fs := flag.NewFlagSet("fleetwatch "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.registerFlags(fs)
	if extra != nil {
		extra(fs)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if len(problems) > 0 {
		return cfg, fmt.Errorf("invalid configuration: %v", problems)
	}
	return cfg, cfg.Validate()
}
