#!/usr/bin/env bash
# Install what is missing, build flowpol, and run the whole job on the
# bundled seed scenario (samples/seed/): replay the recorded capture, import
# the inventory, learn, and write the policies into demo-out/policies/.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-release -j"$(nproc)" --target flowpol >/dev/null
fp=$PWD/build-release/flowpol
seed=$PWD/samples/seed
out=${OUT:-$PWD/demo-out}
rm -rf "$out"
mkdir -p "$out"
export FLOWPOL_DB="$out/flowpol.db"

step() { printf '\n$ flowpol %s\n' "$*"; "$fp" "$@"; }
step collect --node staging-node-1 --pcap "$seed/capture.pcap"
step flows
step inventory --at 2026-11-26T10:00:00Z "$seed/inventory.json"
step learn
step workloads
step edges
step emit --out "$out/policies"
ls "$out/policies"
printf '\n$ cat %s\n' "$out/policies/flowpol-ntierapp-backend.yaml"
cat "$out/policies/flowpol-ntierapp-backend.yaml"
step explain --policies "$out/policies" namespace1/busybox-deployment namespace2/nginx-deployment tcp/80
set +e
step explain --policies "$out/policies" namespace2/busybox-deployment namespace1/nginx-deployment tcp/80
echo "(exit $?: denied, as no such traffic was seen)"
echo
echo "Everything is in $out; the same run always writes the same bytes:"
echo "compare with samples/seed/policies/ (diff -r samples/seed/policies $out/policies)."
