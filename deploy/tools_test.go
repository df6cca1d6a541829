package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// tool finds a command: the copy `make tools` built into bin/tools, then
// PATH. Without it the test is skipped, or fails under CI=true, where
// .ci/run and the Makefile provide every tool.
func tool(t *testing.T, name, install string) string {
	t.Helper()
	if p, err := filepath.Abs(filepath.Join("..", "bin", "tools", name)); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not installed (%s)", name, install)
	}
	t.Skipf("%s is not installed (%s)", name, install)
	return ""
}

// runTool runs a command and returns its standard output, failing the test
// with both outputs when it fails.
func runTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, errOut, err := tryTool(name, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s\n%s", filepath.Base(name), args, err, out, errOut)
	}
	return out
}

func tryTool(name string, args ...string) (stdout, stderr []byte, err error) {
	var out, errOut bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	return out.Bytes(), errOut.Bytes(), err
}
