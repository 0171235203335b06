#!/bin/bash
# doc/flowpol.1 passes mandoc's lint, renders with man(1), and cannot go
# stale: every command `flowpol help` lists has its subsection, and every
# long option `flowpol COMMAND --help` prints appears in that subsection
# (options of `flowpol --help` anywhere in the page).
. "$FLOWPOL_SRC/tests/lib.sh"
PAGE=$FLOWPOL_SRC/doc/flowpol.1
command -v mandoc >/dev/null || fail "needs mandoc (bash scripts/deps.sh)"
command -v man >/dev/null || fail "needs man (bash scripts/deps.sh)"

mandoc -T lint -W warning "$PAGE" >lint.txt 2>&1 || fail "mandoc -T lint: $(cat lint.txt)"
[ ! -s lint.txt ] || fail "mandoc -T lint: $(cat lint.txt)"
MANWIDTH=80 man -l "$PAGE" >man.txt 2>man.err || fail "man -l: $(cat man.err)"
grep -q '^NAME' man.txt && grep -q 'flowpol collect' man.txt || fail "man -l rendered no page"

# One line per paragraph: no option is split across lines.
mandoc -T ascii -O width=1000 "$PAGE" | sed 's/.\x08//g' >page.txt
# subsection NAME: its lines, up to the next subsection or section heading
subsection() {
	awk -v want="$1" '
		/^[A-Z]/ { on = 0 }
		/^   [^ ]/ { on = ($1 == want && NF == 1) }
		on' page.txt
}
options() { grep -oE -- '--[a-z][a-z0-9-]*' | sort -u; }
has_option() { grep -qE -- "$1([^a-z0-9-]|\$)"; }

"$FLOWPOL" help >help.txt || fail "flowpol help"
cmds=$(awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' help.txt)
[ "$(echo "$cmds" | wc -w)" -ge 14 ] || fail "could not read the command list: $(cat help.txt)"
missing=""
for c in $cmds; do
	subsection "$c" >sec.txt
	[ -s sec.txt ] || { missing="$missing\n  command $c: no subsection (.Ss $c)"; continue; }
	"$FLOWPOL" "$c" --help >chelp.txt 2>&1 || fail "flowpol $c --help exited $?"
	for o in $(options <chelp.txt); do
		has_option "$o" <sec.txt || missing="$missing\n  $c $o"
	done
done
for o in $(options <help.txt); do
	has_option "$o" <page.txt || missing="$missing\n  flowpol $o"
done
[ -z "$missing" ] || fail "doc/flowpol.1 lacks what --help prints:$(printf "$missing")"

# The check itself: an option --help prints but the page lacks is caught.
sed 's/^\.Op Fl \\-rcvbuf Ar BYTES$//; s/^\.It Fl \\-rcvbuf Ar BYTES$/.It Fl \\-rcvbufx Ar BYTES/' "$PAGE" >stale.1
grep -q 'rcvbufx' stale.1 || fail "could not plant a stale page"
mandoc -T ascii -O width=1000 stale.1 | sed 's/.\x08//g' >page.txt
subsection collect | has_option --rcvbuf && fail "a page without --rcvbuf was not caught"
pass
