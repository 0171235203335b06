#!/usr/bin/env bash
# Global options before or after the command; merge's output; one-line
# messages with the closest match; version; completion from the parsers'
# own option tables; durations on the command line.
set -u
. "$(dirname "$0")/../lib.sh"
S=$FLOWPOL_SRC/samples/seed
unset FLOWPOL_DB

# --db before and after the command give the same database.
"$FLOWPOL" --db a.db collect --node n1 --pcap "$S/capture.pcap" >out.txt 2>err.txt || fail "--db before collect"
# collect --pcap: one summary line; no progress when stderr is not a terminal.
grep -qx "collect: 1 of 1 capture replayed: 15 events, 6 flows in 1 window, 0 malformed, 0 lost, [0-9.]* s" out.txt &&
	[ "$(wc -l <out.txt)" -eq 1 ] || fail "collect summary: $(cat out.txt)"
[ ! -s err.txt ] || fail "collect wrote to stderr: $(cat err.txt)"
[ -f a.db ] && [ ! -e flowpol.db ] || fail "--db before the command was not used"
"$FLOWPOL" flows --db a.db >after.tsv || fail "--db after"
"$FLOWPOL" --db a.db flows >before.tsv || fail "--db before"
"$FLOWPOL" --db=a.db flows >eq.tsv || fail "--db=PATH before"
cmp -s before.tsv after.tsv && cmp -s eq.tsv after.tsv || fail "--db before/after differ"
[ "$(wc -l <after.tsv)" -eq 7 ] || fail "flows: $(cat after.tsv)"
"$FLOWPOL" -o json --db a.db flows | jq -e '.kind == "FlowList"' >/dev/null || fail "-o before the command"
"$FLOWPOL" --db a.db -- flows >dd.tsv && cmp -s dd.tsv after.tsv || fail "-- before the command"
# An option no command takes, before the command: one line, closest match.
expect_exit 2 "$FLOWPOL" --dbb a.db flows 2>err.txt
[ "$(cat err.txt)" = "flowpol: unknown option '--dbb'; did you mean '--db'? see 'flowpol --help'" ] || fail "--dbb: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" --db 2>err.txt
grep -qx "flowpol: option '--db' needs a value" err.txt || fail "--db without value: $(cat err.txt)"

# merge: with --db every argument is an input; never an implicit output.
"$FLOWPOL" inventory --db inv.db --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null || fail "inventory"
"$FLOWPOL" --db m1.db merge a.db inv.db || fail "--db OUT merge IN IN"
"$FLOWPOL" merge m2.db a.db inv.db || fail "merge OUT IN IN"
"$FLOWPOL" merge a.db --db m3.db inv.db || fail "merge IN --db OUT IN"
for m in m1 m2 m3; do
	"$FLOWPOL" flows --db $m.db | cmp -s - after.tsv || fail "$m.db flows"
	[ "$(sqlite3 $m.db 'SELECT count(*) FROM pods')" -eq 8 ] || fail "$m.db has no inventory"
done
FLOWPOL_DB=env.db expect_exit 2 "$FLOWPOL" merge a.db 2>err.txt
[ ! -e env.db ] && [ ! -e flowpol.db ] || fail "merge wrote an implicit output"
grep -qx "flowpol: merge: need at least one IN.db" err.txt || fail "merge one argument: $(cat err.txt)"

# Unknown command and option: one line, closest match, --help pointer, exit 2.
expect_exit 2 "$FLOWPOL" colect 2>err.txt
[ "$(cat err.txt)" = "flowpol: unknown command 'colect'; did you mean 'collect'? see 'flowpol --help'" ] || fail "colect: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" --db a.db edgse 2>err.txt
grep -qx "flowpol: unknown command 'edgse'; did you mean 'edges'? .*" err.txt || fail "edgse: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" frobnicate 2>err.txt
[ "$(cat err.txt)" = "flowpol: unknown command 'frobnicate'; see 'flowpol --help'" ] || fail "frobnicate: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" flows --formt json 2>err.txt
[ "$(cat err.txt)" = "flowpol: flows: unknown option '--formt'; did you mean '--format'? see 'flowpol flows --help'" ] ||
	fail "--formt: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" edges -o 2>err.txt
[ "$(cat err.txt)" = "flowpol: edges: option '-o' needs a value" ] || fail "edges -o: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" edges -Ax 2>err.txt
[ "$(cat err.txt)" = "flowpol: edges: unknown option '-x'; see 'flowpol edges --help'" ] || fail "edges -Ax: $(cat err.txt)"
expect_exit 2 "$FLOWPOL" collect --pcap x.pcap --window abc 2>err.txt
[ "$(wc -l <err.txt)" -eq 1 ] && grep -q "^flowpol: collect: .*--window" err.txt || fail "bad value: $(cat err.txt)"
# Every error names its command.
for c in "learn --since 14" "diff --policies p --stale-after 14" "report --since 3" "status --now x" \
    "inventory --at 14 x.json" "edges -o svg" "graph -o svg" "emit --granularity pod"; do
	set -- $c
	"$FLOWPOL" "$@" 2>err.txt; rc=$?
	[ $rc -eq 2 ] || fail "'$c' exited $rc"
	[ "$(wc -l <err.txt)" -eq 1 ] || fail "'$c' printed more than one line: $(cat err.txt)"
	grep -q "^flowpol: $1: " err.txt || fail "'$c': $(cat err.txt)"
done
# Durations: a bare number names the units; d, w and compound forms work.
"$FLOWPOL" learn --db a.db --since 14 2>err.txt
grep -q "a number needs a unit: units ns, us, ms, s, m, h, d (24h) or w (7d)" err.txt || fail "--since 14: $(cat err.txt)"
# (inventory --at, whose result does not depend on what the clock says)
for t in 2w -2w 14d 2h30m -2h30m 1w2d 90s 1.5h now; do
	"$FLOWPOL" inventory --db "at$t.db" --at "$t" "$S/inventory.json" >out.txt 2>err.txt ||
		fail "inventory --at $t: $(cat err.txt)"
done
"$FLOWPOL" inventory --db a.db --at 2026-11-26T10:00:00Z "$S/inventory.json" >/dev/null
"$FLOWPOL" learn --db a.db --since 1000w --until 2026-11-26T11:30:00Z | grep -q "6 flows" || fail "learn with 1000w"

# version and --version: version, commit, libraries.
"$FLOWPOL" --version >v1.txt || fail "--version"
"$FLOWPOL" version >v2.txt || fail "version"
cmp -s v1.txt v2.txt || fail "--version and version differ"
grep -q "^flowpol [0-9]\+\.[0-9]\+\.[0-9]\+$" v1.txt && grep -q "^commit: " v1.txt && grep -q "^sqlite: 3\." v1.txt &&
	grep -q "^libyaml: " v1.txt && grep -q "^libnetfilter_log: .* (built against)$" v1.txt || fail "version: $(cat v1.txt)"
want=$(sed -n 's/^project(flowpol VERSION \([0-9.]*\).*/\1/p' "$FLOWPOL_SRC/CMakeLists.txt")
grep -qx "flowpol $want" v1.txt || fail "version is not CMake's $want"

# Completion: loads in bash, and lists each command's options as its parser has them.
bash -c 'source <("$1" completion bash) && complete -p flowpol' _ "$FLOWPOL" >comp.txt 2>&1 ||
	fail "bash completion does not load: $(cat comp.txt)"
grep -q "complete -F _flowpol flowpol" comp.txt || fail "complete -p: $(cat comp.txt)"
"$FLOWPOL" completion bash >flowpol.bash || fail "completion bash"
for c in $("$FLOWPOL" help | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
	[ "$c" = completion ] && continue
	"$FLOWPOL" "$c" --help >help.txt || fail "$c --help"
	for o in $("$FLOWPOL" "$c" --completion-helper); do
		o=${o%=}
		grep -q "^	$c) .*[\" ]$o[\" ]" flowpol.bash || fail "completion for $c lacks $o"
		# The usage text names every option of the table.
		case $o in --help|-h) continue ;; esac
		grep -q -- "$o\\b" help.txt || fail "'$c --help' does not mention $o"
	done
done
# What completion offers, asked the way bash asks.
got=$(bash -c 'source "$1"; COMP_WORDS=(flowpol edges --na); COMP_CWORD=2; _flowpol; echo "${COMPREPLY[*]}"' _ flowpol.bash)
[ "$got" = "--namespace" ] || fail "completing 'edges --na': '$got'"
got=$(bash -c 'source "$1"; COMP_WORDS=(flowpol --db x col); COMP_CWORD=3; _flowpol; echo "${COMPREPLY[*]}"' _ flowpol.bash)
[ "$got" = "collect" ] || fail "completing a command after --db: '$got'"
"$FLOWPOL" completion zsh | head -1 | grep -qx "#compdef flowpol" || fail "completion zsh"
command -v zsh >/dev/null || fail "zsh is missing (scripts/deps.sh installs it)"
"$FLOWPOL" completion zsh >_flowpol
zsh -n _flowpol || fail "zsh completion has a syntax error"
got=$(zsh -fc 'autoload -U compinit; compinit -u -D; source ./_flowpol; print -r -- $_comps[flowpol]')
[ "$got" = _flowpol ] || fail "zsh completion is not registered: '$got'"
expect_exit 2 "$FLOWPOL" completion fish 2>err.txt
pass
