#!/bin/sh
# Vajra's build recipe for the java11/java17/java21 runtimes: compiles an uploaded source tree with javac
# (never Maven or Gradle: there is no network) into a package laid out the way the runtime's class path
# expects it (/var/task = classes and resources, /var/task/lib = jars).
#
# Inputs (env):   SRC (the upload, also the working dir), OUT (empty; becomes /var/task), CACHE (kept
#                 between builds), RUNTIME_DIR (holds api/ = Vajra's compiled com.amazonaws...runtime
#                 interfaces and events, lib/ = Jackson's jars), JAVA_HOME (the JDK whose javac is used), JAVA_RELEASE (11, 17 or 21).
# Layouts:        Maven/Gradle (src/main/java/**, src/main/resources/**; pom.xml/build.gradle are ignored)
#                 or plain *.java files anywhere. Jars in lib/ and at the top level are the class path and
#                 are copied to OUT/lib/. An upload without any .java file is copied as it is.
set -eu

SRC=${SRC:-/build/src}
OUT=${OUT:-/build/out}
CACHE=${CACHE:-/cache}
RUNTIME_DIR=${RUNTIME_DIR:-/var/runtime/java}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}
JAVA_RELEASE=${JAVA_RELEASE:-17}
JAVAC="$JAVA_HOME/bin/javac"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vajra-java-build.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$SRC"

say() { printf '%s\n' "$*"; }
die() { printf 'build failed: %s\n' "$*" >&2; exit 1; }

[ -x "$JAVAC" ] || die "no javac at $JAVAC (set JAVA_HOME to a JDK)"

if [ -d src/main/java ]; then
  LAYOUT=maven
  find src/main/java -type f -name '*.java' | sort > "$TMP/sources"
else
  LAYOUT=plain
  # Everything but test trees and build output that was uploaded by mistake.
  find . -type f -name '*.java' ! -path './src/test/*' ! -path '*/target/*' ! -path '*/build/*' \
    ! -path '*/.git/*' | sort > "$TMP/sources"
fi
COUNT=$(wc -l < "$TMP/sources" | tr -d ' ')

if [ "$COUNT" = 0 ]; then
  say "no .java sources: the upload is the package, copied as it is"
  cp -R . "$OUT/"
  exit 0
fi

# The compile class path: the user's jars first, then Vajra's API (so a bundled aws-lambda-java-core wins).
mkdir -p "$OUT/lib"
: > "$TMP/cp"
for jar in lib/*.jar ./*.jar; do
  [ -f "$jar" ] || continue
  cp "$jar" "$OUT/lib/"
  printf '%s:' "$SRC/$jar" >> "$TMP/cp"
done
API="$RUNTIME_DIR/api"
if [ -z "$(find "$API" -name '*.class' 2>/dev/null | head -n 1)" ]; then
  # Only the API's sources are there: compile them once into the cache.
  API="$CACHE/api-classes-$JAVA_RELEASE"
  if [ ! -f "$API/.done" ]; then
    rm -rf "$API" && mkdir -p "$API"
    find "$RUNTIME_DIR/api" -name '*.java' > "$TMP/api-sources"
    [ -s "$TMP/api-sources" ] || die "Vajra's Java API is missing from $RUNTIME_DIR/api"
    "$JAVAC" --release "$JAVA_RELEASE" -XDstringConcat=inline -encoding UTF-8 -nowarn -d "$API" @"$TMP/api-sources"
    touch "$API/.done"
  fi
fi
CP="$(cat "$TMP/cp")$API"
# Jackson (Debian's libjackson2-databind-java, copied into the runtime folder): the runtime maps POJOs
# with it, and user code may use its annotations. It comes after the user's jars, as at run time.
for jar in "$RUNTIME_DIR"/lib/*.jar; do
  [ -f "$jar" ] && CP="$CP:$jar"
done

if [ -f pom.xml ]; then
  say "pom.xml found: its dependencies are NOT downloaded (no network); put the jars you need in lib/"
fi
if [ -f build.gradle ] || [ -f build.gradle.kts ]; then
  say "Gradle build found: it is not run; put the jars you need in lib/"
fi
say "compiling $COUNT source file(s) ($LAYOUT layout) with $("$JAVAC" -version 2>&1), --release $JAVA_RELEASE"

# javac reads the file list from an argument file; quote each path (spaces) for it.
# -XDstringConcat=inline compiles "a" + b to StringBuilder calls instead of invokedynamic: the first
# concatenation otherwise costs 20-40 ms of method-handle set-up, on the cold-start path.
sed 's/\\/\\\\/g; s/"/\\"/g; s/^/"/; s/$/"/' "$TMP/sources" > "$TMP/sources.args"
if ! "$JAVAC" --release "$JAVA_RELEASE" -encoding UTF-8 -parameters -XDstringConcat=inline \
    -cp "$CP" -d "$OUT" @"$TMP/sources.args" > "$TMP/javac.log" 2>&1; then
  cat "$TMP/javac.log" >&2
  if grep -q "release version $JAVA_RELEASE not supported" "$TMP/javac.log"; then
    die "$JAVAC cannot compile for Java $JAVA_RELEASE; a JDK $JAVA_RELEASE or newer is needed"
  fi
  die "javac reported the errors above"
fi
cat "$TMP/javac.log" # warnings, if any

# Resources go next to the classes, as Maven would package them.
if [ -d src/main/resources ]; then cp -R src/main/resources/. "$OUT/"; fi
if [ "$LAYOUT" = plain ] && [ -d resources ]; then cp -R resources/. "$OUT/"; fi
rmdir "$OUT/lib" 2>/dev/null || true
say "built $(find "$OUT" -name '*.class' | wc -l | tr -d ' ') class file(s)"
