#!/bin/sh
# Vajra's build recipe for Rust functions (runtime rust1.70): compiles the Cargo package in $SRC
# offline and puts its binary at $OUT/bootstrap, which runs as a provided.al2023 custom runtime.
#
# A function's Cargo.toml is the one written for Lambda,
#     [dependencies]
#     lambda_runtime = "0.13"
#     serde = { version = "1", features = ["derive"] }
#     serde_json = "1"
#     tokio = { version = "1", features = ["macros"] }
# and builds offline: cargo's home gets a source replacement of crates-io by Debian's packaged
# crates (the librust-*-dev packages, in $CARGO_REGISTRY), and crates-io is patched so that
# `lambda_runtime` (whichever version the manifest asks for) and `vajra_lambda` resolve to the
# copies shipped with Vajra. Other crates must come vendored in the upload (`cargo vendor`, with the
# .cargo/config.toml it prints, which then takes the place of Debian's registry). A crate that is
# nowhere to be found fails the build with a message naming it and listing what is available.
#
# Inputs (defaults are the build sandbox's paths):
#   SRC          the unpacked upload, writable (cargo writes Cargo.lock there)
#   OUT          an empty folder that receives the package (it becomes /var/task)
#   CACHE        a writable folder kept between builds (cargo's home and target dir)
#   RUNTIME_DIR  Vajra's runtimes/ folder (read-only)
#   TOOLCHAIN    a Rust toolchain >= 1.70 (read-only; its bin/ has cargo and rustc, not rustup proxies)
#   CARGO_REGISTRY  Debian's crate folder (read-only), /usr/share/cargo/registry by default
# An upload with a `bootstrap` and no Cargo.toml is already built: it is copied through unchanged.
set -eu

SRC=${SRC:-/build/src}
OUT=${OUT:-/build/out}
CACHE=${CACHE:-/cache}
RUNTIME_DIR=${RUNTIME_DIR:-/var/runtime}
TOOLCHAIN=${TOOLCHAIN:-/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu}
CARGO_REGISTRY=${CARGO_REGISTRY:-/usr/share/cargo/registry}
# Relative paths (handy when running this by hand) would break once we cd into $SRC.
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s\n' "$PWD/$1" ;; esac; }
OUT=$(abs "$OUT") CACHE=$(abs "$CACHE") RUNTIME_DIR=$(abs "$RUNTIME_DIR") TOOLCHAIN=$(abs "$TOOLCHAIN")

cd "$SRC"
if [ ! -f Cargo.toml ]; then
  if [ -f bootstrap ]; then
    echo "No Cargo.toml: shipping the prebuilt bootstrap as it is."
    cp -R . "$OUT/"
    chmod 755 "$OUT/bootstrap"
    exit 0
  fi
  echo "error: neither a Cargo.toml (a Rust package to build) nor a prebuilt bootstrap at the root of the upload" >&2
  exit 1
fi

export HOME=${HOME:-/tmp}
export PATH="$TOOLCHAIN/bin:/usr/bin:/bin"
export RUSTC="$TOOLCHAIN/bin/rustc" RUSTDOC="$TOOLCHAIN/bin/rustdoc"
export CARGO_HOME="$CACHE/cargo-home" CARGO_TARGET_DIR="$CACHE/target"
export CARGO_NET_OFFLINE=true CARGO_TERM_COLOR=never CARGO_TERM_PROGRESS_WHEN=never
mkdir -p "$CARGO_HOME" "$CARGO_TARGET_DIR"

# The target dir is shared by every build that uses this cache: hold it from compile to copy, so a
# concurrent build cannot replace target/release/<bin> in between.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.build-lock"
  flock 9
fi

# Debian's crates stand in for crates.io. Written on every build (the cache outlives any change of
# registry); an upload's own .cargo/config.toml (vendored crates) still takes precedence.
registry=$CARGO_REGISTRY
if [ ! -d "$registry" ]; then
  registry="$CACHE/no-registry"
  mkdir -p "$registry"
fi
cat >"$CARGO_HOME/config.toml" <<EOF
# Written by Vajra's Rust build: crates come from Debian's packaged crates, never from the network.
[source.crates-io]
replace-with = "debian"

[source.debian]
directory = "$registry"

[net]
offline = true
EOF

# Debian's crates as "name version, name version, ...", for error messages.
available() {
  for d in "$registry"/*/; do
    [ -f "$d/Cargo.toml" ] || continue
    basename "$d" | sed 's/-\([0-9][0-9]*\.[0-9][0-9]*\.[0-9].*\)$/ \1/'
  done | sort | sed 's/$/,/' | tr '\n' ' ' | sed 's/, $//'
}

# A lock file from the developer's machine pins crates.io versions Debian may not have: resolve
# afresh, unless the upload vendors its crates (then its lock file matches its vendor folder).
if [ -f Cargo.lock ] && [ ! -f .cargo/config.toml ] && [ ! -f .cargo/config ]; then
  echo "Ignoring the upload's Cargo.lock: versions are resolved against the crates available offline."
  rm -f Cargo.lock
fi

# Which of Vajra's crates the package names, and the lambda_runtime version it asks for.
manifest=$(cargo metadata --no-deps --format-version 1 --offline 2>&1) || {
  printf '%s\n' "$manifest" >&2
  echo "error: cargo could not read the package's Cargo.toml (see above)" >&2
  exit 1
}
patches=
case $manifest in
  *'"name":"vajra_lambda","source":"registry+'*)
    patches="--config 'patch.crates-io.vajra_lambda.path=\"$RUNTIME_DIR/rust/vajra_lambda\"'" ;;
esac
req=$(printf '%s' "$manifest" | grep -o '"name":"lambda_runtime","source":"registry+[^"]*","req":"[^"]*"' |
  head -n 1 | sed 's/.*"req":"\([^"]*\)"/\1/') || true
if [ -n "$req" ]; then
  # A version that meets the requirement ("^0.13" -> 0.13.0, ">=0.11, <0.15" -> 0.11.0): AWS's 0.x
  # releases differ in details this crate does not copy, not in the API functions use.
  version=$(printf '%s' "$req" | sed 's/,.*//; s/^[^0-9]*//; s/[^0-9.].*//; s/\.$//')
  case $version in
    '') version=0.13.0 ;;
    *.*.*) ;;
    *.*) version=$version.0 ;;
    *) version=$version.0.0 ;;
  esac
  # A copy with that version, replaced only when it changes (cargo rebuilds a path crate whose
  # files' times change).
  shim="$CACHE/vajra-crates/lambda_runtime-$version"
  mkdir -p "$CACHE/vajra-crates"
  staged=$(mktemp -d "$CACHE/vajra-crates/.staging.XXXXXX")
  cp -Rp "$RUNTIME_DIR/rust/lambda_runtime/." "$staged/"
  sed "s/^version = .*/version = \"$version\"/" "$RUNTIME_DIR/rust/lambda_runtime/Cargo.toml" >"$staged/Cargo.toml"
  if [ -d "$shim" ] && diff -r "$staged" "$shim" >/dev/null 2>&1; then
    rm -rf "$staged"
  else
    rm -rf "$shim"
    mv "$staged" "$shim"
  fi
  patches="$patches --config 'patch.crates-io.lambda_runtime.path=\"$shim\"'"
fi

# Resolve first, on its own: a crate or version that is not available offline is reported here,
# by name, rather than somewhere in a compiler log.
resolve_log=$(mktemp)
# shellcheck disable=SC2086 # $patches is a list of --config options
if ! eval cargo generate-lockfile --offline "$patches" 2>"$resolve_log"; then
  cat "$resolve_log" >&2
  missing=$(sed -n 's/.*no matching package named `\([^`]*\)` found.*/\1/p' "$resolve_log")
  wrong=$(sed -n 's/.*failed to select a version for the requirement `\([^`]*\)`.*/\1/p' "$resolve_log" | tr -d '"')
  feature=$(sed -n 's/.*depends on `\([^`]*\)` with feature `\([^`]*\)` but .*/`\1` has no feature `\2`/p' "$resolve_log")
  rm -f "$resolve_log"
  if [ -n "$feature" ]; then
    echo "error: offline, $feature (its available features are listed above)." >&2
  fi
  for c in $missing; do
    echo "error: the crate \`$c\` is not available offline, so the package cannot be built." >&2
  done
  if [ -n "$wrong" ]; then
    echo "error: no version available offline meets the requirement \`$wrong\`: ask for a version listed below." >&2
  fi
  echo "Rust functions build without network access. Supported: lambda_runtime (Vajra's, with AWS's API) and" >&2
  echo "vajra_lambda, crates vendored in the upload (cargo vendor), and Debian's packaged crates in" >&2
  echo "$CARGO_REGISTRY (apt-get install librust-NAME-dev), which are:" >&2
  list=$(available)
  echo "${list:-none (the folder is missing or empty)}" >&2
  exit 1
fi
rm -f "$resolve_log"

messages=$(mktemp)
status=0
# JSON messages (one per line) go to $messages; compiler diagnostics are rendered as text on stderr.
eval cargo build --release --offline "$patches" --message-format=json-render-diagnostics >"$messages" || status=$?
if [ "$status" -ne 0 ]; then
  echo "error: cargo build failed (exit status $status); see the compiler output above." >&2
  echo "Crates available offline: lambda_runtime, vajra_lambda, those vendored in the upload, and Debian's in $CARGO_REGISTRY." >&2
  exit "$status"
fi

# The package's binaries: the one named `bootstrap` if there is one, else the only one.
bins=$(grep '"reason":"compiler-artifact"' "$messages" | grep '"kind":\["bin"\]' |
  sed -n 's/.*"executable":"\([^"]*\)".*/\1/p')
rm -f "$messages"
exe=
for b in $bins; do
  if [ "$(basename "$b")" = bootstrap ]; then exe=$b; fi
done
if [ -z "$exe" ]; then
  count=$(printf '%s\n' $bins | grep -c . || true)
  if [ "$count" -eq 1 ]; then
    exe=$bins
  elif [ "$count" -eq 0 ]; then
    echo "error: the package has no binary target: add src/main.rs (its main calls lambda_runtime::run)" >&2
    exit 1
  else
    echo "error: the package has several binaries ($(for b in $bins; do basename "$b"; done | tr '\n' ' '| sed 's/ $//'));" \
      'name the function'"'"'s one "bootstrap" ([[bin]] name = "bootstrap")' >&2
    exit 1
  fi
fi
cp "$exe" "$OUT/bootstrap"
chmod 755 "$OUT/bootstrap"
echo "Built $(basename "$exe") -> bootstrap ($(wc -c <"$OUT/bootstrap") bytes)"
