#!/usr/bin/env bash
#
# build.sh ES_HOME OUT_DIR - build the portal's smartcn analysis plugin for the node in
# ES_HOME and print the path of its zip (ready for `elasticsearch-plugin install`).
#
# The zip is named after the node's Elasticsearch and Lucene versions and a hash of these
# sources, and reused when it already exists in OUT_DIR: a re-run costs nothing. The jars come
# from Maven (~/.m2 caches them; offline when all three are cached) and the code is compiled
# with plain javac against the node's own lucene-core, so no build plugins are downloaded.
# Logs go to stderr, the zip's path alone to stdout.

set -euo pipefail

ES_HOME=${1:?usage: build.sh ES_HOME OUT_DIR}
OUT_DIR=${2:?usage: build.sh ES_HOME OUT_DIR}
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

log() { printf '[smartcn-plugin] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

version_of() { # version_of lib/lucene-core-9.12.2.jar lucene-core -> 9.12.2
  local jar=${1##*/}
  jar=${jar#"$2"-}
  echo "${jar%.jar}"
}

core_jar=$(compgen -G "$ES_HOME/lib/lucene-core-*.jar" | head -n 1) || true
[[ -n $core_jar ]] || die "no lucene-core jar in $ES_HOME/lib"
server_jar=$(compgen -G "$ES_HOME/lib/elasticsearch-[0-9]*.jar" | head -n 1) || true
[[ -n $server_jar ]] || die "no elasticsearch jar in $ES_HOME/lib"
LUCENE_VERSION=$(version_of "$core_jar" lucene-core)
ES_VERSION=$(version_of "$server_jar" elasticsearch)
analysis_jar="$ES_HOME/lib/lucene-analysis-common-$LUCENE_VERSION.jar"
[[ -f $analysis_jar ]] || die "no $analysis_jar"

hash=$(cat "$HERE/pom.xml" "$HERE/build.sh" "$HERE/stable-plugin-descriptor.properties" \
  "$HERE/named_components.json" "$HERE"/src/org/portal/smartcn/*.java | sha256sum | cut -c1-12)
zip_path="$OUT_DIR/portal-analysis-smartcn-$ES_VERSION-lucene$LUCENE_VERSION-$hash.zip"
if [[ -s $zip_path ]]; then
  log "reusing $zip_path"
  echo "$zip_path"
  exit 0
fi

t0=$(date +%s%N)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$OUT_DIR" "$work/lib" "$work/classes" "$work/zip"

# Offline when every jar is already in ~/.m2 (no metadata look-ups at all).
m2=${MAVEN_REPO:-$HOME/.m2/repository}
offline=()
if [[ -f $m2/org/apache/lucene/lucene-analysis-smartcn/$LUCENE_VERSION/lucene-analysis-smartcn-$LUCENE_VERSION.jar &&
  -f $m2/org/elasticsearch/plugin/elasticsearch-plugin-analysis-api/$ES_VERSION/elasticsearch-plugin-analysis-api-$ES_VERSION.jar ]]; then
  offline=(-o)
fi
log "fetching the plugin API $ES_VERSION and lucene-analysis-smartcn $LUCENE_VERSION${offline:+ (offline)}"
if ! mvn -q -B "${offline[@]}" -f "$HERE/pom.xml" dependency:copy-dependencies \
  -Des.version="$ES_VERSION" -Dlucene.version="$LUCENE_VERSION" -DexcludeTransitive=true \
  -DoutputDirectory="$work/lib" >"$work/mvn.log" 2>&1; then
  cat "$work/mvn.log" >&2
  die "maven could not fetch the plugin's dependencies"
fi
t1=$(date +%s%N)

api_cp=$(printf '%s:' "$work"/lib/elasticsearch-plugin-*.jar)
javac --release 17 -nowarn -d "$work/classes" \
  -cp "${api_cp}$work/lib/lucene-analysis-smartcn-$LUCENE_VERSION.jar:$core_jar:$analysis_jar" \
  "$HERE"/src/org/portal/smartcn/*.java >&2 || die "javac failed"
jar --create --file "$work/zip/portal-analysis-smartcn.jar" -C "$work/classes" . ||
  die "jar failed"
# The node provides lucene-core, lucene-analysis-common and the plugin API; ship smartcn only.
cp "$work/lib/lucene-analysis-smartcn-$LUCENE_VERSION.jar" "$work/zip/"
cp "$HERE/named_components.json" "$work/zip/"
sed -e "s/@VERSION@/$ES_VERSION-$hash/" -e "s/@ES_VERSION@/$ES_VERSION/" \
  "$HERE/stable-plugin-descriptor.properties" >"$work/zip/stable-plugin-descriptor.properties"
(cd "$work/zip" && jar --create --no-manifest --file "$work/plugin.zip" .) || die "zip failed"
mv "$work/plugin.zip" "$zip_path"
t2=$(date +%s%N)
log "built $zip_path (maven $(((t1 - t0) / 1000000)) ms, compile and package $(((t2 - t1) / 1000000)) ms)"
echo "$zip_path"
