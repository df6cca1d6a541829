// Package deploy holds Fleetwatch's deployment artifacts (compose/, helm/,
// systemd/) and the tests that render and validate each of them with its
// real tool: docker-compose config, helm lint and template, systemd-analyze
// verify, and the inspection of `make release`'s dist/ folder. A missing tool
// skips its test with a message, and fails it under CI=true.
package deploy
