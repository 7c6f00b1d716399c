#!/bin/sh
# Vajra's build recipe for Go functions (runtimes go1.x and provided.* with Go sources).
#
# Turns the Go sources in $SRC (a main package at the top level, with or without go.mod) into one
# static Linux executable, $OUT/bootstrap, built offline against the standard library and Vajra's
# bundled modules: github.com/aws/aws-lambda-go (v1.x API: lambda, lambdacontext, events; Vajra's own
# implementation, so go.mod/go.sum written for AWS keep working) and vajra.dev/lambda (a thin layer over
# it). An upload without .go files but with an executable `bootstrap` (already built) is copied to $OUT
# unchanged.
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

# The requirements of go.mod as "path version" lines (parsed here: Go 1.19's own parser stops at newer
# directives such as `toolchain`, and at a v2 version of a v1 module path).
requirements() {
	awk '
		{ sub(/\/\/.*/, ""); gsub(/"/, "") }
		/^[[:space:]]*require[[:space:]]*\(/ { block = 1; next }
		block && /^[[:space:]]*\)/ { block = 0; next }
		block && NF >= 2 { print $1, $2; next }
		/^[[:space:]]*require[[:space:]]+[^([:space:]]/ { print $2, $3 }
	' go.mod
}

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
		fail "go.mod requires go $want, but this runtime's toolchain is go$have: lower the 'go' line in go.mod (and remove any 'toolchain' line), or deploy with a go1.N runtime whose toolchain is at least go$want"
fi
# A `toolchain` line only names a preferred toolchain (builds use this one): older go commands reject it.
sed -i '/^[[:space:]]*toolchain[[:space:]]/d' go.mod

# github.com/aws/aws-lambda-go is provided by Vajra for every v1 version; anything else is refused
# here, with the reason, rather than by an offline module lookup.
supported="Vajra builds Go functions offline and provides github.com/aws/aws-lambda-go v1.x (packages lambda, lambdacontext and events) and vajra.dev/lambda; other modules must be inside the upload (a 'replace' to a local directory)"
reqs=$(requirements)
while read -r path version; do
	case "$path" in
	github.com/aws/aws-lambda-go)
		case "$version" in
		v1.*) ;;
		*) fail "go.mod requires github.com/aws/aws-lambda-go $version, which Vajra does not provide: require a v1 version (v1.x, e.g. v1.47.0). $supported" ;;
		esac
		;;
	github.com/aws/aws-lambda-go/*)
		fail "go.mod requires $path $version, which Vajra does not provide: use github.com/aws/aws-lambda-go v1.x. $supported"
		;;
	esac
done <<EOF
$reqs
EOF

AWS=github.com/aws/aws-lambda-go
if ! printf '%s\n' "$reqs" | grep -q "^$AWS "; then
	go mod edit -require="$AWS@v1.47.0"
fi
go mod edit -require=vajra.dev/lambda@v0.0.0 \
	-replace="vajra.dev/lambda=$RUNTIME_DIR/go/lambda" -replace="$AWS=$RUNTIME_DIR/go/aws-lambda-go"

# Names what an offline build could not find: "path version" for each module go failed to look up, and
# each imported package outside the standard library, this module, the bundled modules and the modules
# go.mod replaces (go's own "file.go:L:C: module lookup disabled" lines may point at the wrong import).
unavailable() {
	log=$1
	grep -q 'module lookup disabled\|cannot find module providing\|no required module provides' "$log" || return 0
	{
		sed -n 's/.*[[:space:]:]\([^[:space:]:@]*\)@\(v[^[:space:]:]*\): module lookup disabled.*/module \1 \2/p' "$log"
		awk '{ gsub(/"/, "") } $1 == "module" { print "self", $2 } $1 == "replace" && $2 != "(" { print "self", $2 }
			/^[[:space:]]*replace[[:space:]]*\(/ { block = 1; next } block && /^[[:space:]]*\)/ { block = 0 }
			block && NF >= 3 { print "self", $1 }' go.mod
		printf '%s\n' "$reqs" | sed -n 's/^\([^ ]*\) \(v[^ ]*\)$/req \1 \2/p'
		go list -e -f '{{range .Imports}}import {{.}}{{"\n"}}{{end}}' ./... 2>/dev/null
	} | awk '
		function covered(p, list, n,   i) {
			for (i = 1; i <= n; i++) if (p == list[i] || index(p, list[i] "/") == 1) return 1
			return 0
		}
		$1 == "module" { mods[++nm] = $2; out[++no] = $2 " " $3 }
		$1 == "self" { self[++ns] = $2 }
		$1 == "import" { imps[++ni] = $2 }
		$1 == "req" { reqs[++nr] = $2; ver[$2] = $3 }
		END {
			self[++ns] = "github.com/aws/aws-lambda-go"; self[++ns] = "vajra.dev/lambda"
			for (i = 1; i <= ni; i++) {
				p = imps[i]; split(p, part, "/")
				if (index(part[1], ".") == 0 || covered(p, self, ns) || covered(p, mods, nm) || seen[p]++) continue
				for (j = 1; j <= nr; j++) if (p == reqs[j] || index(p, reqs[j] "/") == 1) { p = reqs[j] " " ver[reqs[j]]; break }
				if (seen[p]++ == 0 || j > nr) out[++no] = p
			}
			for (i = 1; i <= no; i++) printf "%s%s", (i > 1 ? ", " : ""), out[i]
		}'
}

echo "building with $(go version)"
log=$(mktemp)
if ! go build -trimpath -ldflags='-s -w' -o "$OUT/bootstrap" . >"$log" 2>&1; then
	cat "$log" >&2
	missing=$(unavailable "$log")
	rm -f "$log"
	[ -z "$missing" ] || fail "not available offline: $missing. $supported"
	fail "'go build' failed"
fi
cat "$log"
rm -f "$log"
echo "built $OUT/bootstrap ($(wc -c <"$OUT/bootstrap") bytes)"
