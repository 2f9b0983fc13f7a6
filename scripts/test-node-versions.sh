#!/usr/bin/env bash
# The e2e and integration tests again on Node 22 and Node 24, the other Nodes attendees bring
# (npm test runs everything on the machine's Node, 20 here). Each Node comes from the npm
# registry as a package (node@22, node@24 in .ci/node-versions/package.json, installed with
# npm ci: a Node binary each, nothing else), and is put first on PATH, so that the tests,
# the lab they start and every `node` an app's command line runs are that Node.
#
#   scripts/test-node-versions.sh            both versions
#   scripts/test-node-versions.sh 24         only Node 24
#   NODE_VERSIONS_TESTS="test/e2e" scripts/test-node-versions.sh   only these test paths
set -euo pipefail
cd "$(dirname "$0")/.."

versions=("$@")
[ "${#versions[@]}" -eq 0 ] && versions=(22 24)
read -r -a only <<<"${NODE_VERSIONS_TESTS:-}"

npm ci --prefix .ci/node-versions --no-audit --no-fund --silent
# The e2e tests run the built CLI: built once, by the machine's Node (the output is the same).
npm run build --silent

for version in "${versions[@]}"; do
  bin="$PWD/.ci/node-versions/node_modules/node$version/bin"
  if [ ! -x "$bin/node" ]; then
    echo "No Node $version in .ci/node-versions (is node$version in its package.json?)" >&2
    exit 2
  fi
  echo "== Node $("$bin/node" --version): e2e and integration tests =="
  began=$SECONDS
  PATH="$bin:$PATH" "$bin/node" node_modules/vitest/vitest.mjs run \
    --project integration --project e2e "${only[@]}"
  echo "== Node $version: $((SECONDS - began)) s =="
done
