#!/bin/sh
# Vajra's build recipe for Go functions (runtimes go1.x and provided.* with Go sources).
#
# Turns the Go sources in $SRC (a main package at the top level, with or without go.mod) into one
# static Linux executable, $OUT/bootstrap, built offline against the standard library and Vajra's
# vajra.dev/lambda module. An upload without .go files but with an executable `bootstrap` (already
# built) is copied to $OUT unchanged.
#
# Inputs (defaults are the build sandbox's paths):
#   SRC          the unpacked upload (writable; go.mod is edited in place)   /build/src
#   OUT          receives the runnable package (becomes /var/task)           /build/out
#   CACHE        persistent per-language cache (Go build and module caches)  /cache
#   RUNTIME_DIR  Vajra's runtimes/ folder (read-only)                        /var/runtime
#   TOOLCHAIN    the Go installation (GOROOT)                                /usr/lib/go-1.19
set -eu

SRC=${SRC:-/build/src}
OUT=${OUT:-/build/out}
CACHE=${CACHE:-/cache}
RUNTIME_DIR=${RUNTIME_DIR:-/var/runtime}
TOOLCHAIN=${TOOLCHAIN:-/usr/lib/go-1.19}

fail() {
	echo "build error: $*" >&2
	exit 1
}

cd "$SRC"

# A prebuilt function (a bootstrap and no Go package at the top level): nothing to compile.
if [ -z "$(find . -maxdepth 1 -name '*.go' -print | head -n 1)" ]; then
	if [ -f bootstrap ]; then
		cp -R . "$OUT/"
		chmod 755 "$OUT/bootstrap"
		echo "no Go sources at the top level: using the prebuilt bootstrap as is"
		exit 0
	fi
	[ -z "$(find . -name '*.go' -print | head -n 1)" ] ||
		fail "no .go files at the top level of the upload: put the main package (with func main) there"
	fail "nothing to run: the upload has neither Go sources nor a prebuilt 'bootstrap' executable"
fi

# Everything the go command reads or writes stays under $CACHE and /tmp; nothing is fetched.
export PATH="$TOOLCHAIN/bin:/usr/bin:/bin"
export HOME=/tmp GOENV=off GOTOOLCHAIN=local GOTELEMETRY=off
export GOPROXY=off GOSUMDB=off GOFLAGS=-mod=mod GOWORK=off
export GOCACHE="$CACHE/go-build" GOMODCACHE="$CACHE/go-mod" GOPATH="$CACHE/go-path"
export CGO_ENABLED=0 GOOS=linux GOARCH="$(go env GOHOSTARCH)"
unset GOROOT

if [ ! -f go.mod ]; then
	go mod init function >/dev/null 2>&1 || fail "could not create go.mod (go mod init)"
	echo "no go.mod in the upload: created one for module 'function'"
fi

# Refuse a go.mod asking for a newer Go than this toolchain (Go >= 1.21 refuses it too; 1.19 would
# otherwise build it and fail obscurely, e.g. on a `toolchain` line or a newer language feature).
want=$(sed -n 's/^[[:space:]]*go[[:space:]]\{1,\}\([0-9][0-9.]*\).*/\1/p' go.mod | head -n 1)
have=$(go env GOVERSION | sed 's/^go//')
if [ -n "$want" ]; then
	newer=$(printf '%s\n%s\n' "$want" "$have" | awk -F. '
		NR == 1 { for (i = 1; i <= 3; i++) w[i] = $i + 0 }
		NR == 2 { for (i = 1; i <= 3; i++) h[i] = $i + 0 }
		END { for (i = 1; i <= 3; i++) { if (w[i] > h[i]) { print 1; exit } if (w[i] < h[i]) exit } }')
	[ -z "$newer" ] ||
		fail "go.mod requires go $want, but this runtime's toolchain is go$have: lower the 'go' line in go.mod (and remove any 'toolchain' line)"
fi

go mod edit -require=vajra.dev/lambda@v0.0.0 -replace="vajra.dev/lambda=$RUNTIME_DIR/go/lambda"

echo "building with $(go version)"
log=$(mktemp)
if ! go build -trimpath -ldflags='-s -w' -o "$OUT/bootstrap" . >"$log" 2>&1; then
	cat "$log" >&2
	if grep -q 'module lookup disabled' "$log"; then
		echo "build error: builds are offline: only the standard library and vajra.dev/lambda are available (import \"vajra.dev/lambda\" in place of github.com/aws/aws-lambda-go/lambda)" >&2
	fi
	rm -f "$log"
	fail "'go build' failed"
fi
cat "$log"
rm -f "$log"
echo "built $OUT/bootstrap ($(wc -c <"$OUT/bootstrap") bytes)"
