#!/bin/sh
# Vajra's build recipe for Rust functions (runtime rust1.70): compiles the Cargo package in $SRC
# offline and puts its binary at $OUT/bootstrap, which runs as a provided.al2023 custom runtime.
#
# The function's Cargo.toml names the runtime crate like any crates.io dependency,
#     [dependencies]
#     vajra_lambda = "0.1"
# and this build patches crates-io so that the name resolves to the copy shipped with Vajra: no
# registry index is read or needed. Other crates must come vendored in the upload (`cargo vendor`,
# with the .cargo/config.toml it prints), since no registry is reachable.
#
# Inputs (defaults are the build sandbox's paths):
#   SRC          the unpacked upload, writable (cargo writes Cargo.lock there)
#   OUT          an empty folder that receives the package (it becomes /var/task)
#   CACHE        a writable folder kept between builds (cargo's home and target dir)
#   RUNTIME_DIR  Vajra's runtimes/ folder (read-only)
#   TOOLCHAIN    a Rust toolchain >= 1.70 (read-only; its bin/ has cargo and rustc, not rustup proxies)
# An upload with a `bootstrap` and no Cargo.toml is already built: it is copied through unchanged.
set -eu

SRC=${SRC:-/build/src}
OUT=${OUT:-/build/out}
CACHE=${CACHE:-/cache}
RUNTIME_DIR=${RUNTIME_DIR:-/var/runtime}
TOOLCHAIN=${TOOLCHAIN:-/root/.rustup/toolchains/stable-x86_64-unknown-linux-gnu}
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

messages=$(mktemp)
status=0
# JSON messages (one per line) go to $messages; compiler diagnostics are rendered as text on stderr.
cargo build --release --offline \
  --config "patch.crates-io.vajra_lambda.path=\"$RUNTIME_DIR/rust/vajra_lambda\"" \
  --message-format=json-render-diagnostics >"$messages" || status=$?
if [ "$status" -ne 0 ]; then
  echo "error: cargo build failed (exit status $status); see the compiler output above." >&2
  echo "Only the standard library, vajra_lambda and crates vendored in the upload are available." >&2
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
    echo "error: the package has no binary target: add src/main.rs (fn main calls vajra_lambda::run)" >&2
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
