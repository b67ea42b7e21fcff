#!/bin/sh
# Writes the manual page aegis(1), gzipped, from the program's own help
# texts (aegis help, aegis serve --help, aegis token|room|audit|cluster help), so the
# packaged manual says what the packaged binary does:
#   make-manpage.sh AEGIS_BINARY OUT.1.gz
# The date is SOURCE_DATE_EPOCH's when set (reproducible builds), else today.
set -eu
aegis=$1
out=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$("$aegis" --version)
version=${version#aegis }
date=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%d)
"$aegis" help >"$tmp/main"
"$aegis" serve --help >"$tmp/serve"
"$aegis" token help >"$tmp/token"
"$aegis" room help >"$tmp/room"
"$aegis" audit help >"$tmp/audit"
"$aegis" cluster help >"$tmp/cluster"

# One help text as a no-fill block: backslashes and minus signs escaped (a
# plain - may print as a hyphen that cannot be pasted into a shell), a line
# starting with . or ' kept from being read as a request.
verbatim() {
  printf '.PP\n.nf\n'
  sed -e 's/\\/\\e/g' -e 's/-/\\-/g' -e "s/^\([.']\)/\\\\\&\1/" "$1"
  printf '.fi\n'
}

{
  cat <<HEADER
.TH AEGIS 1 "$date" "aegis $version" "User Commands"
.nh
.SH NAME
aegis \\- secure self\\-hosted video\\-calling server (SFU)
.SH SYNOPSIS
.B aegis serve
[\\fIOPTION\\fR]...
.br
.B aegis token create
\\-\\-room \\fIR\\fR \\-\\-identity \\fII\\fR [\\fIOPTION\\fR]...
.br
.B aegis room policy
\\-\\-room \\fIR\\fR [\\fIOPTION\\fR]...
.br
.B aegis audit
verify | tail [\\fIOPTION\\fR]...
.br
.B aegis cluster status
[\\fIOPTION\\fR]...
.br
.B aegis
selfcheck | version | help
.SH DESCRIPTION
.B aegis serve
runs the Aegis server: HTTPS/WSS signaling with signed, room\\-scoped tokens, the web app,
and an SFU forwarding audio and video over ICE\\-lite, DTLS and SRTP, with end\\-to\\-end
encrypted rooms (SFrame keyed by MLS) whose media the server cannot read.
The other commands mint and revoke access tokens, set a room's policy and read the
tamper\\-evident audit log, working on the same data folder as the server.
HEADER
  verbatim "$tmp/main"
  printf '.SH SERVE OPTIONS\nEvery option is also a key of the TOML file given with \\fB\\-\\-config\\fR (the option without its dashes).\nOptions on the command line win over the file.\n'
  verbatim "$tmp/serve"
  printf '.SH TOKENS\n'
  verbatim "$tmp/token"
  printf '.SH ROOM POLICY\n'
  verbatim "$tmp/room"
  printf '.SH AUDIT LOG\n'
  verbatim "$tmp/audit"
  printf '.SH SEVERAL NODES\n'
  verbatim "$tmp/cluster"
  cat <<'FOOTER'
.SH FILES
.TP
.I /etc/aegis/aegis.toml
The configuration of the aegis service (\fBaegis serve \-\-config /etc/aegis/aegis.toml\fR).
.TP
.I /var/lib/aegis/data
The service's data folder: SQLite database (API keys, room policy, audit log) and the
generated TLS certificate. Run the other commands on it as the service's user:
.RS
.nf
sudo systemd\-run \-P \-q \-p DynamicUser=yes \-p User=aegis \e
    \-p StateDirectory=aegis \e
    aegis token create \-\-data /var/lib/aegis/data \-\-room R \-\-identity I
.fi
.RE
.TP
.I /usr/share/aegis/web
The web app the service serves.
.TP
.I /lib/systemd/system/aegis.service
The sandboxed systemd unit.
.SH SEE ALSO
.BR systemd.exec (5),
.I /usr/share/doc/aegis/configuration.md
FOOTER
} | gzip -9n >"$out"
