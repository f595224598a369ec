#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# apt-mirror.sh: print the URI of the Debian mirror this machine's apt
# sources use for bookworm (deb822 debian.sources first, then the one-line
# sources.list), so that no host name is ever written into this project.
# Exits 1 with a message if there is none.
set -eu
uri=
src=/etc/apt/sources.list.d/debian.sources
if [ -r "$src" ]; then
	# deb822: the URIs line of the stanza whose Suites lists plain
	# "bookworm" (skips the -security stanza).
	uri=$(awk '
		/^[ \t]*$/ { if (s) { print u; exit } u = ""; s = 0; next }
		/^URIs:/   { u = $2 }
		/^Suites:/ { for (i = 2; i <= NF; i++) if ($i == "bookworm") s = 1 }
		END        { if (s) print u }' "$src" | head -n1)
fi
if [ -z "$uri" ] && [ -r /etc/apt/sources.list ]; then
	# one-line format: "deb [opts] URI bookworm main ..."
	uri=$(awk '$1 == "deb" { for (i = 2; i < NF; i++)
		if ($i ~ /:\/\// && $(i+1) == "bookworm") { print $i; exit } }' \
		/etc/apt/sources.list)
fi
[ -n "$uri" ] || { echo "apt-mirror: no bookworm apt source found in /etc/apt" >&2; exit 1; }
echo "$uri"
