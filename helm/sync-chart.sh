#!/bin/sh
# Keep the Helm chart in step with its sources of truth:
#   grafana/adobe-status.json  -> helm/adobe-status-exporter/files/adobe-status.json
#   prometheus/alerts.yml      -> helm/adobe-status-exporter/files/alerts.yml
#   exporter/__init__.py __version__ -> Chart.yaml appVersion and the Dockerfile's VERSION label
# (Helm cannot read files outside the chart directory, so the chart ships copies.)
#
#   helm/sync-chart.sh          copy and update
#   helm/sync-chart.sh --check  change nothing; exit 1 and name what drifted
set -eu

root=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
chart="$root/helm/adobe-status-exporter"
check=0
case "${1:-}" in
  --check) check=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

drift=0

sync_file() { # source copy
  if [ ! -f "$1" ]; then
    echo "sync-chart: missing source $1" >&2
    drift=1
    return
  fi
  if cmp -s "$1" "$2"; then
    return
  fi
  if [ "$check" -eq 1 ]; then
    echo "sync-chart: ${2#"$root"/} differs from ${1#"$root"/}" >&2
    drift=1
  else
    cp "$1" "$2"
    echo "sync-chart: copied ${1#"$root"/} -> ${2#"$root"/}"
  fi
}

sync_line() { # file sed-regex-of-line wanted-line
  current=$(grep -E "$2" "$1" || true)
  if [ "$current" = "$3" ]; then
    return
  fi
  if [ "$check" -eq 1 ]; then
    echo "sync-chart: ${1#"$root"/} has '$current', wants '$3'" >&2
    drift=1
  else
    tmp="$1.sync-chart.tmp"
    sed -E "s|$2|$3|" "$1" > "$tmp" && mv "$tmp" "$1"
    echo "sync-chart: ${1#"$root"/}: $3"
  fi
}

sync_file "$root/grafana/adobe-status.json" "$chart/files/adobe-status.json"
sync_file "$root/prometheus/alerts.yml" "$chart/files/alerts.yml"

version=$(sed -n -E 's/^__version__ = "([^"]+)"$/\1/p' "$root/exporter/__init__.py")
if [ -z "$version" ]; then
  echo "sync-chart: no __version__ in exporter/__init__.py" >&2
  exit 2
fi
sync_line "$chart/Chart.yaml" '^appVersion:.*$' "appVersion: \"$version\""
sync_line "$root/Dockerfile" '^ARG VERSION=.*$' "ARG VERSION=$version"

exit "$drift"
