#!/bin/sh
# Vajra's build recipe for Node.js functions whose package.json has dependencies and whose upload has
# no node_modules: the upload is copied to $OUT and npm installs the production dependencies into it
# (npm ci when a package-lock.json is there). Uses the npm registry the server's npm is set to.
#
# Inputs: SRC, OUT, CACHE (npm's cache), NODE and NPM_CLI (the node running Vajra and its npm).
set -eu
SRC=${SRC:-/build/src}
OUT=${OUT:-/build/out}
CACHE=${CACHE:-/cache}

cp -a "$SRC/." "$OUT/"
cd "$OUT"
npm() { "$NODE" "$NPM_CLI" "$@"; }
if [ -f package-lock.json ]; then verb=ci; else verb=install; fi
echo "npm $(npm --version) $verb --omit=dev (registry ${npm_config_registry:-default})"
npm "$verb" --omit=dev --foreground-scripts --no-audit --no-fund --no-update-notifier --loglevel=warn \
  --cache "$CACHE/npm" || {
  echo "build error: npm could not install the dependencies of package.json (above)." >&2
  echo "Vendor them instead: run npm install --omit=dev and deploy the folder with its node_modules." >&2
  exit 1
}
