#!/usr/bin/env bash
# Checks `make install` into a scratch DESTDIR: the files land where the README says, the unit
# points at the installed binary, and an existing config is never overwritten.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(mktemp -d /tmp/tidings-install.XXXXXX)
trap 'rm -rf "$root"' EXIT
fail() { echo "FAIL  $*"; exit 1; }

make --no-print-directory install DESTDIR="$root" PREFIX=/usr >/dev/null
for f in /usr/bin/tidingsd /usr/bin/tidingsctl /usr/lib/systemd/system/tidingsd.service \
         /usr/lib/sysusers.d/tidings.conf /usr/share/tidings/demo/feed.xml /usr/share/doc/tidings/NOTICE \
         /etc/tidings/tidingsd.toml /usr/share/tidings/plugins/tone/vader_lexicon.txt \
         /usr/share/tidings/plugins/tone/LICENSE.vader-MIT.txt /usr/share/tidings/plugins/examples/keywords/keywords.py \
         /usr/share/doc/tidings/PLUGIN-PROTOCOL.md /usr/share/tidings/plugins/events/CAMEO.2.0.txt \
         /usr/share/tidings/plugins/events/Tidings.verbs.txt /usr/share/tidings/plugins/events/LICENSE.icews-MIT.txt \
         /usr/share/tidings/plugins/entities/Phoenix.Countries.actors.txt /usr/share/tidings/plugins/tone/target_model.txt \
         /usr/share/tidings/plugins/tone/news_additions.txt /usr/share/tidings/plugins/tone/active_words.txt; do
  [ -e "$root$f" ] || fail "make install did not create $f"
done
[ -x "$root/usr/bin/tidingsd" ] || fail "tidingsd is not executable"
grep -q '^ExecStart=/usr/bin/tidingsd run --config /etc/tidings/tidingsd.toml$' "$root/usr/lib/systemd/system/tidingsd.service" \
  || fail "the installed unit does not run /usr/bin/tidingsd"
"$root/usr/bin/tidingsd" check-config --config "$root/etc/tidings/tidingsd.toml" >/dev/null \
  || fail "the installed default config does not validate"
# The installed plugin data is what the installed binary finds (TIDINGS_DATA_DIR points at it,
# as a packager's prefix would; the build tree is not consulted first).
echo '{"id": 1, "text": "It was a great success."}' \
  | TIDINGS_DATA_DIR="$root/usr/share/tidings/plugins" "$root/usr/bin/tidingsd" analyze --jsonl | grep -q '"positive":[1-9]' \
  || fail "the installed tone plugin does not read its installed lexicon"
echo '{"id": 2, "date": "1999-04-05", "text": "Japanese Prime Minister Keizo Obuchi will visit Moscow."}' \
  | TIDINGS_DATA_DIR="$root/usr/share/tidings/plugins" "$root/usr/bin/tidingsd" analyze --jsonl \
  | grep -q '"source":"JPNGOV","target":"RUS",[^}]*"code":"036"' \
  || fail "the installed events plugin does not code with its installed dictionaries"
echo "# edited by the admin" >> "$root/etc/tidings/tidingsd.toml"
make --no-print-directory install DESTDIR="$root" PREFIX=/usr >/dev/null
grep -q "edited by the admin" "$root/etc/tidings/tidingsd.toml" || fail "make install overwrote an existing config"
echo "PASS  make install: files in place, unit points at the binary, existing config kept"
