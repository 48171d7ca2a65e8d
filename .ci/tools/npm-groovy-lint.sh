#!/usr/bin/env bash
# npm-groovy-lint (CodeNarc with the Jenkinsfile rule set) for tests/render/test_render_jenkins.py.
# 15.x is the last line that runs on Node 20; it needs Java 17 on the PATH. Idempotent.
# Saved into .tools/package.json (not --no-save) so that installers of other npm tools into
# .tools/ do not prune it as extraneous.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=15.2.2
BIN=.tools/node_modules/.bin/npm-groovy-lint
PKG=.tools/node_modules/npm-groovy-lint/package.json
if [ -x "$BIN" ] && [ -f "$PKG" ] && grep -q "\"version\": \"$VERSION\"" "$PKG"; then
  exit 0
fi
command -v java >/dev/null || { echo "npm-groovy-lint needs Java 17 (java not on PATH)" >&2; exit 1; }
mkdir -p .tools
npm install --prefix .tools --no-audit --no-fund --save-exact "npm-groovy-lint@$VERSION"
