#!/usr/bin/env bash
# The layering check (doc/architecture.md): folders are floors, and a folder
# includes headers only from its own floor or below.
#   floor 1 common/
#   floor 2 store/
#   floor 3 collector/  learner/  policy/
#   floor 4 emitter/
#   floor 5 review/
#   floor 6 main.c (and the root's headers)
# It fails, naming the file and line, when
#   - a folder includes a header of a floor above it;
#   - two folders include each other (on one floor, the only way left);
#   - collector/ and learner/ include each other at all (they meet only in
#     the store);
#   - policy/ (the engine, a pure library) includes the store or SQLite,
#     or common/ includes SQLite.
# The one root header a folder may include is commands.h: it only declares
# the cmd_* functions each part defines for main.c's table, so it brings no
# dependency on anything above.
# Usage: scripts/check-layers.sh [SOURCE_DIR]   (default: this repository)
set -eu
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root"

declare -A floor=([common]=1 [store]=2 [collector]=3 [learner]=3 [policy]=3
	[emitter]=4 [review]=5)
# folder pairs that may not include each other in either direction
forbidden_pairs="collector:learner"
# folder:system header it must not include
forbidden_system="policy:sqlite3.h common:sqlite3.h"

include_re='^[[:space:]]*#[[:space:]]*include[[:space:]]*(["<])([^">]+)[">]'
bad=0
report() { echo "check-layers: $*" >&2; bad=1; }
declare -A uses=()	# "from:to" -> first place seen

for dir in "${!floor[@]}"; do
	[ -d "$dir" ] || { report "$dir/: missing folder"; continue; }
done

files=$(find "${!floor[@]}" -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | sort
	find . -maxdepth 1 -type f \( -name '*.c' -o -name '*.h' \) | sed 's|^\./||' | sort)
# every include line as FILE:LINE:TEXT
while IFS= read -r hit; do
	file=${hit%%:*} rest=${hit#*:}
	n=${rest%%:*} line=${rest#*:}
	from=${file%%/*}
	[ "$file" = "$from" ] && from=main	# a file at the root
	[[ $line =~ $include_re ]] || continue
	kind=${BASH_REMATCH[1]} hdr=${BASH_REMATCH[2]}
	if [ "$kind" = "<" ]; then
		for rule in $forbidden_system; do
			if [ "$from" = "${rule%%:*}" ] && [ "$hdr" = "${rule#*:}" ]; then
				report "$file:$n: includes <$hdr>: $from/ must not use it"
			fi
		done
		continue
	fi
	if [[ $hdr == */* ]]; then
		to=${hdr%%/*}
	elif [ "$from" != main ] && [ -e "$from/$hdr" ]; then
		to=$from
	else
		to=main
	fi
	[ "$to" = "$from" ] && continue
	if [ "$to" = main ]; then
		[ "$hdr" = commands.h ] || [ "$from" = main ] ||
			report "$file:$n: includes \"$hdr\" from the top (main.c's floor)"
		continue
	fi
	if [ -z "${floor[$to]:-}" ]; then
		report "$file:$n: includes \"$hdr\": $to/ is on no floor (add it to scripts/check-layers.sh and doc/architecture.md)"
		continue
	fi
	[ "$from" = main ] && continue
	if [ "${floor[$to]}" -gt "${floor[$from]}" ]; then
		report "$file:$n: includes \"$hdr\": $to/ (floor ${floor[$to]}) is above $from/ (floor ${floor[$from]})"
	fi
	for pair in $forbidden_pairs; do
		if [ "$from:$to" = "$pair" ] || [ "$to:$from" = "$pair" ]; then
			report "$file:$n: includes \"$hdr\": $from/ and $to/ must not know each other"
		fi
	done
	if [ "$from" = policy ] && [ "$to" = store ]; then
		report "$file:$n: includes \"$hdr\": the policy engine must not know the store"
	fi
	[ -n "${uses[$from:$to]:-}" ] || uses[$from:$to]="$file:$n"
done < <(echo "$files" | xargs -r grep -nHE '^[[:space:]]*#[[:space:]]*include')

for key in "${!uses[@]}"; do
	from=${key%%:*} to=${key#*:}
	if [[ "$from" < "$to" ]] && [ -n "${uses[$to:$from]:-}" ]; then
		report "$from/ and $to/ include each other: ${uses[$key]} and ${uses[$to:$from]}"
	fi
done

if [ "$bad" -ne 0 ]; then
	echo "check-layers: the floors are in doc/architecture.md" >&2
	exit 1
fi
echo "check-layers: ok"
