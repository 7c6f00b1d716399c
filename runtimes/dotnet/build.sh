#!/bin/sh
# Vajra's build recipe for .NET functions (dotnet6, dotnet8): `dotnet publish` of the project in $SRC
# as a self-contained linux-x64 executable named `bootstrap`, the way .NET runs as a Lambda custom
# runtime (the project references Amazon.Lambda.RuntimeSupport, or speaks the Runtime API itself).
# NuGet packages come from the feeds the SDK is set to, so the build has the network.
#
# Only runs where a .NET SDK is installed; none can be installed on the machines Vajra's CI uses, so
# this recipe is not exercised by the test suite there.
#
# Inputs: SRC, OUT, CACHE (NuGet packages), DOTNET (the SDK's dotnet), VAJRA_RUNTIME (dotnet6/dotnet8).
set -eu
SRC=${SRC:-/build/src}
OUT=${OUT:-/build/out}
CACHE=${CACHE:-/cache}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_CLI_HOME=/tmp NUGET_PACKAGES="$CACHE/nuget"

cd "$SRC"
set -- *.csproj *.fsproj
project=""
for p in "$@"; do [ -f "$p" ] && project="$project $p"; done
[ -n "$project" ] || { echo "build error: no *.csproj or *.fsproj at the top level" >&2; exit 1; }
case "$project" in *" "*" "*) echo "build error: more than one project at the top level:$project" >&2; exit 1 ;; esac
framework="net${VAJRA_RUNTIME#dotnet}.0"
"$DOTNET" publish $project -c Release -f "$framework" -r linux-x64 --self-contained true \
  -p:AssemblyName=bootstrap -p:PublishReadyToRun=false -o "$OUT"
chmod 755 "$OUT/bootstrap"
