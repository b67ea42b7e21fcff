#!/usr/bin/env bash
# aegis_deb_package: builds the Debian package from a release build with cpack
# into a temporary folder and checks it, touching nothing of the system (dpkg
# installs it only into a throwaway root; this machine's /etc, /usr and
# systemd are never written):
#   - control: name, version (= aegis --version), architecture, Depends naming
#     the package of every shared library the binary needs, the conffile, the
#     maintainer scripts;
#   - contents: the layout (binary, whole web app with the generated MLS
#     bundle, configuration, unit, manual page), root-owned, nothing elsewhere;
#   - the extracted binary is stripped, hardened (PIE, full RELRO, canaries,
#     fortified calls, no executable stack) and answers
#     --version; the manual page renders without warnings;
#   - lintian, where installed: no error but the expected ones
#     (lintian-errors-expected);
#   - the unit: its sandbox settings, `systemd-analyze verify` without a
#     warning and `systemd-analyze security` at most AEGIS_MAX_EXPOSURE;
#   - the packaged configuration, pointed at temporary folders, starts the
#     extracted `aegis serve` (as nobody when run as root, under strace where
#     possible), which serves the packaged app (GET / and the MLS bundle byte
#     for byte), lets the packaged `aegis token create` mint on its data
#     folder, stops cleanly on SIGTERM, and made no system call the unit's
#     SystemCallFilter= refuses;
#   - the maintainer scripts, run against stand-ins for deb-systemd-helper,
#     deb-systemd-invoke and systemctl in a throwaway DPKG_ROOT: enable/start
#     only where systemd runs, restart on upgrade, stop on remove, the state
#     directory deleted on purge only; then the real dpkg installs, upgrades
#     (keeping an edited conffile), removes and purges it in a throwaway root.
#
#   package_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
max_exposure=${AEGIS_MAX_EXPOSURE:-2.0}
tmp=$(mktemp -d)
server_pid=""
strace_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [ -n "$strace_pid" ]; then kill -KILL "$strace_pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
check() {  # check DESCRIPTION COMMAND...: one named check
  local what=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: $what" >&2
  fi
}
skip() { echo "skipped: $*"; }

version=$("$build/src/app/aegis" --version)
version=${version#aegis }
arch=$(dpkg --print-architecture)

# --- the package -------------------------------------------------------------
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log" >&2
  echo "FAIL: cpack -G DEB" >&2
  exit 1
fi
deb="$tmp/out/aegis_${version}_${arch}.deb"
if [ ! -f "$deb" ]; then
  ls -l "$tmp/out" >&2
  echo "FAIL: cpack did not make aegis_${version}_${arch}.deb" >&2
  exit 1
fi
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes"
dpkg-deb --info "$deb"

# --- control -----------------------------------------------------------------
field() { dpkg-deb --field "$deb" "$1"; }
check "Package is aegis" test "$(field Package)" = aegis
check "Version is aegis --version ($version)" test "$(field Version)" = "$version"
check "Architecture is $arch" test "$(field Architecture)" = "$arch"
check "Maintainer set" test -n "$(field Maintainer)"
depends=$(field Depends)
# The package names in Depends, one a line.
depends_names=$(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/[ (].*//')
dpkg-deb --control "$deb" "$tmp/control"
check "conffiles is exactly /etc/aegis/aegis.toml" test "$(cat "$tmp/control/conffiles")" = /etc/aegis/aegis.toml
for script in postinst prerm postrm; do
  check "$script is the packaged one, executable" cmp -s "$tmp/control/$script" "$src/packaging/deb/$script"
  check "$script mode 0755" test "$(stat -c %a "$tmp/control/$script")" = 755
done
check "no preinst" test ! -e "$tmp/control/preinst"

# --- contents ----------------------------------------------------------------
dpkg-deb --contents "$deb" >"$tmp/contents"
# "MODE OWNER PATH" per entry, PATH without the leading "." ("/usr/bin/aegis").
awk '{ print $1, $2, substr($6, 2) }' "$tmp/contents" >"$tmp/entries"
has_entry() {  # has_entry MODE PATH
  grep -qxF -e "$1 root/root $2" "$tmp/entries"
}
check "/usr/bin/aegis -rwxr-xr-x root/root" has_entry -rwxr-xr-x /usr/bin/aegis
check "/etc/aegis/aegis.toml" has_entry -rw-r--r-- /etc/aegis/aegis.toml
check "/lib/systemd/system/aegis.service" has_entry -rw-r--r-- /lib/systemd/system/aegis.service
check "/usr/share/man/man1/aegis.1.gz" has_entry -rw-r--r-- /usr/share/man/man1/aegis.1.gz
check "/usr/share/doc/aegis/configuration.md" has_entry -rw-r--r-- /usr/share/doc/aegis/configuration.md
check "/usr/share/doc/aegis/changelog.gz" has_entry -rw-r--r-- /usr/share/doc/aegis/changelog.gz
check "the generated MLS bundle is packaged" has_entry -rw-r--r-- /usr/share/aegis/web/sdk/mls_vendor.js
missing_web=0
while IFS= read -r f; do
  if ! has_entry -rw-r--r-- "/usr/share/aegis/web/$f"; then
    echo "  not packaged: web/$f" >&2
    missing_web=1
  fi
done < <(cd "$src/web" && find . -type f -printf '%P\n')
check "every file of web/ is in /usr/share/aegis/web" test "$missing_web" = 0
# Nothing outside the package's own places, everything root's, nothing
# writable by group or others.
stray=$(awk '{ print $3 }' "$tmp/entries" | grep -Ev '^/$|^/(etc|lib|lib/systemd|lib/systemd/system|usr|usr/bin|usr/share|usr/share/man|usr/share/man/man1|usr/share/doc)/$|^/usr/bin/aegis$|^/usr/share/aegis/|^/usr/share/doc/aegis/|^/usr/share/man/man1/aegis\.1\.gz$|^/etc/aegis/|^/lib/systemd/system/aegis\.service$' || true)
check "no file outside the package's places${stray:+: $stray}" test -z "$stray"
check "every entry root/root" test -z "$(awk '$2 != "root/root"' "$tmp/entries")"
check "nothing group- or world-writable" test -z "$(awk 'substr($1, 6, 1) == "w" || substr($1, 9, 1) == "w"' "$tmp/entries" | grep -v '^l' || true)"

# --- the extracted files -----------------------------------------------------
root="$tmp/root"
dpkg-deb -x "$deb" "$root"
check "packaged aegis --version is aegis $version" test "$("$root/usr/bin/aegis" --version)" = "aegis $version"
check "packaged binary is stripped (no .debug_info)" bash -c "! readelf -S '$root/usr/bin/aegis' | grep -q debug_info"
# The hardening of the release build (CMakeLists.txt, AEGIS_HARDEN), as
# Debian's hardening-check reads it off a binary.
bin="$root/usr/bin/aegis"
check "hardened: position-independent executable" bash -c "readelf -hW '$bin' | grep -Eq 'Type: +DYN'"
check "hardened: full RELRO (GNU_RELRO and BIND_NOW)" bash -c \
  "readelf -lW '$bin' | grep -q GNU_RELRO && readelf -dW '$bin' | grep -Eq '\(BIND_NOW\)|FLAGS_1.*NOW'"
check "hardened: non-executable stack" bash -c "readelf -lW '$bin' | grep GNU_STACK | grep -Eq ' RW +0x'"
check "hardened: stack protector (__stack_chk_fail)" bash -c "readelf --dyn-syms -W '$bin' | grep -q __stack_chk_fail"
check "hardened: fortified glibc calls (__*_chk)" bash -c "readelf --dyn-syms -W '$bin' | grep -Eq ' __[a-z]+_chk(@| )'"
check "packaged web app is the source's web/" diff -r "$src/web" "$root/usr/share/aegis/web"

# Depends: the package of every library the binary is linked against.
# readelf lists the NEEDED names, ldd where they resolve here, dpkg -S whose
# they are (the usr-merged path tried too).
while read -r lib path; do
  pkg=""
  for candidate in "$path" "$(readlink -f "$path")" "/usr$path" "${path#/usr}"; do
    pkg=$(dpkg -S "$candidate" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
  done
  if [ -z "$pkg" ]; then
    check "$lib ($path) belongs to a package" false
    continue
  fi
  check "Depends names $pkg (for $lib)" grep -qxF -e "$pkg" <<<"$depends_names"
done < <(ldd "$root/usr/bin/aegis" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' |
           grep -F -f <(readelf -d "$root/usr/bin/aegis" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1 /p'))
echo "Depends: $depends"

if command -v man >/dev/null; then
  man_err=$(MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$root/usr/share/man/man1/aegis.1.gz" 2>&1 >/dev/null)
  check "man page renders without warnings${man_err:+: $man_err}" test -z "$man_err"
  check "man page lists the serve options" bash -c \
    "MANWIDTH=100 man -l '$root/usr/share/man/man1/aegis.1.gz' 2>/dev/null | grep -q -- '--config FILE'"
else
  skip "man page rendering (no man)"
fi

# --- the unit ----------------------------------------------------------------
unit="$root/lib/systemd/system/aegis.service"
for line in \
  'ExecStart=/usr/bin/aegis serve --config /etc/aegis/aegis.toml' \
  'DynamicUser=yes' 'StateDirectory=aegis' 'StateDirectoryMode=0700' 'ConfigurationDirectory=aegis' \
  'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' 'AmbientCapabilities=CAP_NET_BIND_SERVICE' \
  'NoNewPrivileges=yes' 'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'PrivateDevices=yes' \
  'ProtectKernelTunables=yes' 'ProtectKernelModules=yes' 'ProtectControlGroups=yes' \
  'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' 'RestrictNamespaces=yes' 'LockPersonality=yes' \
  'MemoryDenyWriteExecute=yes' 'SystemCallFilter=@system-service' 'SystemCallArchitectures=native' \
  'UMask=0077' 'WantedBy=multi-user.target'; do
  check "unit has $line" grep -qxF "$line" "$unit"
done
# Only the one capability, ever.
check "no capability but CAP_NET_BIND_SERVICE" test -z \
  "$(grep -E '^(CapabilityBoundingSet|AmbientCapabilities)=' "$unit" | grep -v '=CAP_NET_BIND_SERVICE$' || true)"

if command -v systemd-analyze >/dev/null; then
  # A root holding this system's units (for the targets the unit is ordered
  # against), the packaged unit and the packaged binary its ExecStart names.
  vroot="$tmp/verify-root"
  mkdir -p "$vroot/lib/systemd" "$vroot/usr/bin"
  cp -a /lib/systemd/system "$vroot/lib/systemd/"
  cp "$unit" "$vroot/lib/systemd/system/aegis.service"
  cp "$root/usr/bin/aegis" "$vroot/usr/bin/aegis"
  verify_out=$(systemd-analyze verify --man=no --root="$vroot" aegis.service 2>&1) && verify_rc=0 || verify_rc=$?
  check "systemd-analyze verify: exit 0, no warning${verify_out:+: $verify_out}" \
    test "$verify_rc" = 0 -a -z "$verify_out"
  systemd-analyze security --offline=yes --root="$vroot" aegis.service >"$tmp/security" 2>&1 || true
  exposure=$(sed -n 's/.*Overall exposure level for aegis.service: \([0-9.]*\).*/\1/p' "$tmp/security")
  echo "systemd-analyze security: exposure ${exposure:-?} (at most $max_exposure)"
  grep -F '✗' "$tmp/security" || true
  check "exposure ${exposure:-?} <= $max_exposure" awk -v e="${exposure:-99}" -v m="$max_exposure" 'BEGIN { exit !(e + 0 <= m + 0) }'
else
  skip "systemd-analyze verify/security (no systemd-analyze)"
fi

# --- the packaged configuration serves the packaged app -----------------------
conf="$root/etc/aegis/aegis.toml"
check 'config has web = "/usr/share/aegis/web"' grep -qxF 'web = "/usr/share/aegis/web"' "$conf"
check 'config has data = "/var/lib/aegis/data"' grep -qxF 'data = "/var/lib/aegis/data"' "$conf"
check 'config listens on loopback' grep -qxF 'listen = "127.0.0.1:8080"' "$conf"
# The same file, its two paths moved under this test's folder.
sed -e "s|^web = \"/usr/share/aegis/web\"$|web = \"$root/usr/share/aegis/web\"|" \
    -e "s|^data = \"/var/lib/aegis/data\"$|data = \"$tmp/state/data\"|" "$conf" >"$tmp/aegis.toml"
mkdir -m 0700 "$tmp/state" "$tmp/trace"
# Like the service, never as root: run as nobody when the test runs as root
# (CI does). The data folder is then nobody's, so the admin command below
# runs as nobody too, as the service's admin commands run as its user.
as_user=()
if [ "$(id -u)" = 0 ]; then
  as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
  chmod 0755 "$tmp"
  chown 65534:65534 "$tmp/state" "$tmp/trace"
fi
# Port 0s: nothing collides with other tests or services. Under strace where
# it can trace, so the system calls the server makes can be held against the
# unit's SystemCallFilter below.
serve=("$root/usr/bin/aegis" serve --config "$tmp/aegis.toml" --listen 127.0.0.1:0 --media-port 0 --media-workers 1)
tracing=0
strace_pid=""
if command -v strace >/dev/null && command -v systemd-analyze >/dev/null &&
   "${as_user[@]}" strace -f -qq -o /dev/null true 2>/dev/null; then
  tracing=1
  "${as_user[@]}" strace -f -qq -o "$tmp/trace/strace.log" "${serve[@]}" >"$tmp/serve.log" 2>&1 &
  strace_pid=$!
  # The server is strace's child named aegis (strace forks short-lived
  # children of its own at start to probe ptrace).
  server_pid=""
  for _ in $(seq 1 100); do
    server_pid=$(pgrep -P "$strace_pid" -x aegis || true)
    [ -n "$server_pid" ] && break
    sleep 0.1
  done
  [ -n "$server_pid" ] || server_pid=$strace_pid
else
  skip "system calls against the unit's filter (no strace, or it cannot trace here)"
  "${as_user[@]}" "${serve[@]}" >"$tmp/serve.log" 2>&1 &
  server_pid=$!
fi
port=""
for _ in $(seq 1 300); do
  port=$(sed -n 's|^  open      http://127.0.0.1:\([0-9]*\)/$|\1|p' "$tmp/serve.log")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$port" ]; then
  cat "$tmp/serve.log" >&2
  if kill -0 "$server_pid" 2>/dev/null; then
    echo "aegis serve still running after 30 s without its banner" >&2
  else
    serve_rc=0
    wait "${strace_pid:-$server_pid}" || serve_rc=$?
    echo "aegis serve exited with status $serve_rc" >&2
    server_pid=""
    strace_pid=""
  fi
  if [ "$tracing" = 1 ]; then tail -n 5 "$tmp/trace/strace.log" >&2; fi
  check "packaged aegis serve starts with the packaged config" false
else
  check "serve uses the configured data folder" grep -qF "  data      $tmp/state/data (new API key)" "$tmp/serve.log"
  check "data folder created 0700" test "$(stat -c %a "$tmp/state/data")" = 700
  code=$(curl -sS -o "$tmp/index.html" -w '%{http_code}' "http://127.0.0.1:$port/")
  check "GET / is 200 (got $code)" test "$code" = 200
  check "GET / is the packaged index.html" cmp -s "$tmp/index.html" "$root/usr/share/aegis/web/index.html"
  code=$(curl -sS -o "$tmp/mls_vendor.js" -w '%{http_code}' "http://127.0.0.1:$port/sdk/mls_vendor.js")
  check "GET /sdk/mls_vendor.js is 200 (got $code)" test "$code" = 200
  check "GET /sdk/mls_vendor.js is the packaged bundle" \
    cmp -s "$tmp/mls_vendor.js" "$root/usr/share/aegis/web/sdk/mls_vendor.js"
  token=$("${as_user[@]}" "$root/usr/bin/aegis" token create --data "$tmp/state/data" --room lobby --identity admin 2>&1 || true)
  check "packaged aegis token create mints a JWT on the service's data folder" \
    grep -Eq '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' <<<"$token"
  kill -TERM "$server_pid"
  # It stops within about 2 s; past 15 s it is killed (and fails below).
  for _ in $(seq 1 150); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$server_pid" 2>/dev/null || true
  serve_rc=0
  # strace exits with its command's status.
  wait "${strace_pid:-$server_pid}" || serve_rc=$?
  server_pid=""
  strace_pid=""
  check "serve exits 0 on SIGTERM (got $serve_rc)" test "$serve_rc" = 0
  if [ "$tracing" = 1 ]; then
    # What the unit's SystemCallFilter= lines permit: the union of its allow
    # lists less the union of its ~deny lists (its first line allows, checked
    # below). systemd's sets nest, so expand them.
    expand_set() {
      local item
      case "$1" in
        @*) systemd-analyze syscall-filter "$1" | tail -n +2 | sed 's/^ *//' | grep -v -e '^#' -e '^$' |
              while read -r item; do expand_set "$item"; done ;;
        *) echo "$1" ;;
      esac
    }
    filters=$(sed -n 's/^SystemCallFilter=//p' "$unit")
    check "the unit's first SystemCallFilter= is an allow list" test "${filters:0:1}" != "~"
    : >"$tmp/allowed"
    : >"$tmp/denied"
    while read -r filter; do
      if [ "${filter:0:1}" = "~" ]; then
        for item in ${filter#\~}; do expand_set "$item" >>"$tmp/denied"; done
      else
        for item in $filter; do expand_set "$item" >>"$tmp/allowed"; done
      fi
    done <<<"$filters"
    sort -u -o "$tmp/allowed" "$tmp/allowed"
    sort -u -o "$tmp/denied" "$tmp/denied"
    comm -23 "$tmp/allowed" "$tmp/denied" >"$tmp/permitted"
    sed -nE 's/^[0-9]+ +([a-z0-9_]+)\(.*/\1/p' "$tmp/trace/strace.log" | sort -u >"$tmp/used"
    outside=$(comm -23 "$tmp/used" "$tmp/permitted" | tr '\n' ' ')
    echo "system calls made by aegis serve: $(wc -l <"$tmp/used")"
    check "every system call the server made is allowed by the unit's filter${outside:+ (not: $outside)}" \
      test -s "$tmp/used" -a -z "$outside"
  fi
fi

# --- maintainer scripts --------------------------------------------------------
# Stand-ins log their arguments; the scripts find them first on PATH and
# touch only DPKG_ROOT (a folder of this test).
stubs="$tmp/stubs"
mkdir "$stubs"
for tool in deb-systemd-helper deb-systemd-invoke systemctl; do
  cat >"$stubs/$tool" <<EOF
#!/bin/sh
echo "$tool \$*" >>"$tmp/calls"
case "\$*" in *was-enabled*) exit \${STUB_WAS_ENABLED_RC:-0} ;; esac
exit 0
EOF
  chmod +x "$stubs/$tool"
done
fake="$tmp/dpkg-root"
mkdir -p "$fake"
run_script() {  # run_script SCRIPT ARGS...: prints the calls it made
  : >"$tmp/calls"
  env -i PATH="$stubs:/usr/bin:/bin" DPKG_ROOT="$fake" STUB_WAS_ENABLED_RC="${STUB_WAS_ENABLED_RC:-0}" \
    sh "$tmp/control/$1" "${@:2}"
  tr '\n' ';' <"$tmp/calls"
}
check "stand-ins come first on PATH" test \
  "$(env -i PATH="$stubs:/usr/bin:/bin" sh -c 'command -v deb-systemd-helper')" = "$stubs/deb-systemd-helper"
expect() {  # expect WHAT ACTUAL EXPECTED
  if [ "$2" = "$3" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    printf 'FAIL: %s\n  got:  %s\n  want: %s\n' "$1" "$2" "$3" >&2
  fi
}
enable='deb-systemd-helper unmask aegis.service;deb-systemd-helper --quiet was-enabled aegis.service;deb-systemd-helper enable aegis.service;'
expect "postinst configure, no systemd running: enable only" "$(run_script postinst configure)" "$enable"
mkdir -p "$fake/run/systemd/system"
expect "postinst configure (install): enable, start" "$(run_script postinst configure)" \
  "${enable}systemctl --system daemon-reload;deb-systemd-invoke start aegis.service;"
expect "postinst configure OLD (upgrade): restart" "$(run_script postinst configure 0.0.1)" \
  "${enable}systemctl --system daemon-reload;deb-systemd-invoke restart aegis.service;"
expect "postinst upgrade of a disabled unit keeps it disabled" \
  "$(STUB_WAS_ENABLED_RC=1 run_script postinst configure 0.0.1)" \
  "deb-systemd-helper unmask aegis.service;deb-systemd-helper --quiet was-enabled aegis.service;deb-systemd-helper update-state aegis.service;systemctl --system daemon-reload;deb-systemd-invoke restart aegis.service;"
expect "prerm remove: stop" "$(run_script prerm remove)" "deb-systemd-invoke stop aegis.service;"
expect "prerm upgrade: nothing (postinst restarts)" "$(run_script prerm upgrade 0.0.2)" ""
mkdir -p "$fake/var/lib/private/aegis/data" "$fake/var/lib/other"
ln -s private/aegis "$fake/var/lib/aegis"
expect "postrm remove: reload, mask" "$(run_script postrm remove)" \
  "systemctl --system daemon-reload;deb-systemd-helper mask aegis.service;"
check "postrm remove keeps the data" test -d "$fake/var/lib/private/aegis/data" -a -L "$fake/var/lib/aegis"
expect "postrm purge: purge, unmask" "$(run_script postrm purge)" \
  "deb-systemd-helper purge aegis.service;deb-systemd-helper unmask aegis.service;"
check "postrm purge deletes the state directory and its link" \
  test ! -e "$fake/var/lib/private/aegis" -a ! -L "$fake/var/lib/aegis"
check "postrm purge leaves the rest of /var/lib" test -d "$fake/var/lib/other"

# --- dpkg --root: install, upgrade over an edited conffile, remove, purge -------
# The real dpkg on a throwaway root: scripts run unchrooted with DPKG_ROOT
# set, against the stand-ins above; Depends is not checked (the root is empty).
# dpkg sets owners as it unpacks: root only.
if [ "$(id -u)" = 0 ]; then
  droot="$tmp/dpkg-install"
  mkdir -p "$droot/var/lib/dpkg/info" "$droot/var/lib/dpkg/updates" "$droot/var/lib/dpkg/triggers"
  touch "$droot/var/lib/dpkg/status" "$droot/var/lib/dpkg/available"
  dpkg_root() {
    env -i PATH="$stubs:/usr/sbin:/usr/bin:/sbin:/bin" dpkg --root="$droot" --log=/dev/null \
      --force-script-chrootless --force-depends "$@" >>"$tmp/dpkg.log" 2>&1
  }
  check "dpkg --root -i installs the package" dpkg_root -i "$deb"
  check "dpkg registered the conffile" grep -q '^ /etc/aegis/aegis.toml ' <(dpkg --root="$droot" -s aegis 2>/dev/null)
  echo "# edited by the administrator" >>"$droot/etc/aegis/aegis.toml"
  check "dpkg --root -i again (an upgrade)" dpkg_root --force-confold -i "$deb"
  check "the edited conffile survives the upgrade" grep -qxF "# edited by the administrator" "$droot/etc/aegis/aegis.toml"
  mkdir -p "$droot/var/lib/private/aegis/data"
  ln -s private/aegis "$droot/var/lib/aegis"
  check "dpkg --root -r removes the package" dpkg_root -r aegis
  check "remove took the binary, kept the configuration and the data" \
    test ! -e "$droot/usr/bin/aegis" -a -f "$droot/etc/aegis/aegis.toml" -a -d "$droot/var/lib/private/aegis/data"
  check "dpkg --root -P purges it" dpkg_root -P aegis
  check "purge deleted the configuration and the data" \
    test ! -e "$droot/etc/aegis/aegis.toml" -a ! -e "$droot/var/lib/private/aegis" -a ! -L "$droot/var/lib/aegis"
  if [ "$failed" != 0 ]; then cat "$tmp/dpkg.log" >&2; fi
else
  skip "dpkg --root install/remove/purge (needs root)"
fi

# --- lintian, where installed ---------------------------------------------------
if command -v lintian >/dev/null; then
  lintian --tag-display-limit 0 "$deb" >"$tmp/lintian" 2>&1 || true
  cat "$tmp/lintian"
  unexpected=$(sed -n 's/^E: aegis[^:]*: \([^ ]*\).*/\1/p' "$tmp/lintian" | sort -u |
               grep -vxF -f <(sed -e 's/#.*//' -e '/^ *$/d' "$src/packaging/deb/lintian-errors-expected") || true)
  check "no lintian error but those in lintian-errors-expected${unexpected:+: $unexpected}" test -z "$unexpected"
  check "lintian ran" grep -qv -e 'internal error' -e 'command not found' "$tmp/lintian"
else
  skip "lintian (not installed)"
fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
