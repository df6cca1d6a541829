#!/bin/sh
# php -l on every PHP file of the Drupal connectors (both modules, tests).
set -e
cd "$(dirname "$0")"
status=0
for f in $(find . -type f \( -name '*.php' -o -name '*.module' -o -name '*.install' -o -name '*.inc' \) | sort); do
  out=$(php -l "$f" 2>&1) || { echo "$out"; status=1; }
done
[ $status -eq 0 ] && echo "php -l: $(find . -type f \( -name '*.php' -o -name '*.module' -o -name '*.install' -o -name '*.inc' \) | wc -l) files, no syntax errors"
exit $status
