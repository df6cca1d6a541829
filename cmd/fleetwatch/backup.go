package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fleetwatch/fleetwatch/sqlstore"
)

// A backup archive is a gzipped tar of these files: the database copy, the
// secret key file when the key is one, and a manifest.
const (
	backupDBName       = "fleetwatch.db"
	backupKeyName      = "fleetwatch.key"
	backupManifestName = "backup.json"
)

// backupManifest says what a backup archive holds.
type backupManifest struct {
	Version   string    `json:"fleetwatch_version"`
	CreatedAt time.Time `json:"created_at"`
	Database  string    `json:"database"`
	// Key is false when the secret key came from the configuration
	// (FLEETWATCH_SECRET_KEY): the operator keeps it, not the archive.
	Key bool `json:"key"`
}

// sqlitePath returns the file of a sqlite:// URL, and false for PostgreSQL.
func sqlitePath(databaseURL string) (string, bool) {
	path, ok := strings.CutPrefix(databaseURL, "sqlite://")
	return path, ok
}

// keyFilePath is where serve keeps a generated secret key: fleetwatch.key
// beside the SQLite file, or in the working directory for PostgreSQL.
func keyFilePath(databaseURL string) string {
	dir := "."
	if path, ok := sqlitePath(databaseURL); ok {
		dir = filepath.Dir(path) // sqlstore.Open refuses a query string
	}
	return filepath.Join(dir, "fleetwatch.key")
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var to string
	cfg, err := parseConfig("backup", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&to, "to", "", "the archive to write (.tar.gz, mode 0600); it must not exist (required)")
	})
	if err != nil {
		return err
	}
	if to == "" {
		return errors.New("backup needs --to FILE, such as --to fleetwatch-$(date +%F).tar.gz")
	}
	if _, ok := sqlitePath(cfg.DatabaseURL); !ok {
		return sqlstore.ErrBackupPostgres
	}
	if _, err := os.Stat(to); err == nil {
		return fmt.Errorf("%s exists already: choose another name or remove it", to)
	}
	store, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	defer store.Close()
	// The copy goes beside the archive: the same file system, and space
	// the operator chose.
	tmp, err := os.MkdirTemp(filepath.Dir(to), ".fleetwatch-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	copyPath := filepath.Join(tmp, backupDBName)
	if err := store.BackupTo(ctx, copyPath); err != nil {
		return err
	}
	var key []byte
	if cfg.SecretKey == "" {
		if key, err = os.ReadFile(keyFilePath(cfg.DatabaseURL)); err != nil {
			return fmt.Errorf("read the secret key: %w", err)
		}
	}
	manifest, _ := json.MarshalIndent(backupManifest{Version: version, CreatedAt: time.Now().UTC(), Database: "sqlite", Key: key != nil}, "", "  ")
	if err := writeBackupArchive(to, copyPath, key, manifest); err != nil {
		return err
	}
	st, _ := os.Stat(to)
	fmt.Fprintf(stdout, "backed up %s to %s (%d bytes)\n", redactURL(cfg.DatabaseURL), to, st.Size())
	if key == nil {
		fmt.Fprintln(stdout, "the secret key comes from the configuration (FLEETWATCH_SECRET_KEY) and is not in the archive: keep it with the backup")
	}
	return nil
}

// writeBackupArchive writes the archive to a temporary file beside to and
// renames it into place once complete, so that to is whole or absent.
func writeBackupArchive(to, dbPath string, key, manifest []byte) (err error) {
	f, err := os.OpenFile(to+".partial", os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	now := time.Now()
	add := func(name string, size int64, r io.Reader) error {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: now, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err := io.Copy(tw, r)
		return err
	}
	if err := add(backupManifestName, int64(len(manifest)), bytes.NewReader(manifest)); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	db, err := os.Open(dbPath)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	st, err := db.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := add(backupDBName, st.Size(), db); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if key != nil {
		if err := add(backupKeyName, int64(len(key)), bytes.NewReader(key)); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
	}
	if err := errors.Join(tw.Close(), gz.Close(), f.Sync(), f.Close()); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return os.Rename(f.Name(), to)
}

func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var from string
	var force bool
	cfg, err := parseConfig("restore", args, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&from, "from", "", "the archive of fleetwatch backup to restore (required)")
		fs.BoolVar(&force, "force", false, "replace a database that holds data, and a different key file")
	})
	if err != nil {
		return err
	}
	if from == "" {
		return errors.New("restore needs --from FILE, an archive written by fleetwatch backup")
	}
	dbPath, ok := sqlitePath(cfg.DatabaseURL)
	if !ok {
		return errors.New("restore writes SQLite databases only; restore PostgreSQL with pg_restore " +
			"(pg_restore --clean --if-exists --no-owner --dbname=\"$FLEETWATCH_DATABASE_URL\" fleetwatch.dump)")
	}
	dir := filepath.Dir(dbPath)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := refuseOverwrite(ctx, cfg.DatabaseURL, dbPath, force); err != nil {
		return err
	}
	tmpDB := dbPath + ".restoring"
	manifest, key, err := extractBackup(from, tmpDB)
	defer os.Remove(tmpDB)
	if err != nil {
		return err
	}
	keyPath := keyFilePath(cfg.DatabaseURL)
	if key != nil && cfg.SecretKey == "" {
		if old, err := os.ReadFile(keyPath); err == nil && !bytes.Equal(old, key) && !force {
			return fmt.Errorf("%s holds a different secret key; restoring replaces it (and signs out everyone signed in with it): run restore again with --force", keyPath)
		}
	}
	// The old database's WAL and shared memory belong to it: left beside
	// the restored file, SQLite would replay them into it.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(dbPath + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if err := os.Rename(tmpDB, dbPath); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored %s (taken %s by fleetwatch %s) into %s\n", from, manifest.CreatedAt.Format(time.RFC3339), manifest.Version, dbPath)
	switch {
	case key != nil && cfg.SecretKey != "":
		fmt.Fprintf(stdout, "the archive's secret key was not written: the configured FLEETWATCH_SECRET_KEY is used; sign-ins and TOTP need the key of the backup\n")
	case key != nil:
		if err := os.WriteFile(keyPath+".restoring", key, 0o600); err != nil {
			return fmt.Errorf("restore the secret key: %w", err)
		}
		if err := os.Rename(keyPath+".restoring", keyPath); err != nil {
			return fmt.Errorf("restore the secret key: %w", err)
		}
		fmt.Fprintf(stdout, "restored the secret key into %s\n", keyPath)
	default:
		fmt.Fprintln(stdout, "the archive holds no secret key: start serve with the FLEETWATCH_SECRET_KEY the backed-up server used")
	}
	return nil
}

// refuseOverwrite fails when the database at dbPath holds Fleetwatch data
// and force is not set.
func refuseOverwrite(ctx context.Context, databaseURL, dbPath string, force bool) error {
	st, err := os.Stat(dbPath)
	if errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0) {
		return nil
	} else if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if force {
		return nil
	}
	store, err := sqlstore.Open(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("restore: open the database to be replaced: %w (run again with --force to replace it anyway)", err)
	}
	empty, err := store.IsEmpty(ctx)
	store.Close()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if !empty {
		return fmt.Errorf("%s holds a Fleetwatch database with data; restoring would replace it: stop fleetwatch serve, then run restore again with --force", dbPath)
	}
	return nil
}

// extractBackup writes the archive's database to dbPath and returns its
// manifest and key (nil when it has none).
func extractBackup(from, dbPath string) (m backupManifest, key []byte, err error) {
	f, err := os.Open(from)
	if err != nil {
		return m, nil, fmt.Errorf("restore: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return m, nil, fmt.Errorf("restore: %s is not an archive of fleetwatch backup: %w", from, err)
	}
	tr := tar.NewReader(gz)
	var sawDB, sawManifest bool
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return m, nil, fmt.Errorf("restore: read %s: %w", from, err)
		}
		switch h.Name {
		case backupManifestName:
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&m); err != nil {
				return m, nil, fmt.Errorf("restore: read the manifest: %w", err)
			}
			sawManifest = true
		case backupKeyName:
			if key, err = io.ReadAll(io.LimitReader(tr, 4096)); err != nil {
				return m, nil, fmt.Errorf("restore: read the secret key: %w", err)
			}
		case backupDBName:
			out, err := os.OpenFile(dbPath, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
			if err != nil {
				return m, nil, fmt.Errorf("restore: %w", err)
			}
			_, err = io.Copy(out, tr)
			if err = errors.Join(err, out.Sync(), out.Close()); err != nil {
				return m, nil, fmt.Errorf("restore: write the database: %w", err)
			}
			sawDB = true
		}
	}
	if !sawDB || !sawManifest {
		return m, nil, fmt.Errorf("restore: %s is not an archive of fleetwatch backup (no %s or %s in it)", from, backupDBName, backupManifestName)
	}
	return m, key, nil
}
