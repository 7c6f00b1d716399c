#!/bin/sh
# Vajra's build recipe for Python functions whose requirements.txt names packages that are not
# vendored in the upload: the upload is copied to $OUT and pip installs the requirements into it
# (as `pip install -t .` does for a Lambda zip). Needs the package index to be reachable; where it is
# not (PyPI is not reachable from every host), the build fails with pip's own message — vendor the
# packages into the upload instead (pip install -r requirements.txt -t .).
#
# Inputs: SRC, OUT, CACHE (pip's cache), PYTHON (the runtime's interpreter).
set -eu
SRC=${SRC:-/build/src}
OUT=${OUT:-/build/out}
CACHE=${CACHE:-/cache}

cp -a "$SRC/." "$OUT/"
echo "$("$PYTHON" --version 2>&1): pip install -r requirements.txt -t ."
"$PYTHON" -m pip install --disable-pip-version-check --no-input --progress-bar off \
  --retries 1 --timeout 20 --cache-dir "$CACHE/pip" \
  --target "$OUT" -r "$SRC/requirements.txt" || {
  echo "build error: pip could not install requirements.txt (above). If the package index is not reachable" >&2
  echo "from the server, vendor the packages into the upload: pip install -r requirements.txt -t ." >&2
  exit 1
}
