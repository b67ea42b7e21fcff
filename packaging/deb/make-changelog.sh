#!/bin/sh
# Writes the package's Debian changelog (a native package's changelog.gz): one
# entry for the version being packaged. The project's history is its git log.
#   make-changelog.sh VERSION MAINTAINER OUT.gz
# The date is SOURCE_DATE_EPOCH's when set (reproducible builds), else now.
set -eu
version=$1
maintainer=$2
out=$3
date=$(LC_ALL=C date -u -R -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}")
printf 'aegis (%s) unstable; urgency=medium\n\n  * Aegis %s, packaged from the project'"'"'s sources.\n\n -- %s  %s\n' \
  "$version" "$version" "$maintainer" "$date" | gzip -9n >"$out"
