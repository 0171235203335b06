#!/usr/bin/env bash
# Install what is missing, build flowpol, and run it on the bundled samples.
set -eu
cd "$(dirname "$0")/.."
bash scripts/deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
bin=$PWD/build/flowpol
out=${OUT:-$PWD/demo-out}
rm -rf "$out"; mkdir -p "$out"
export FLOWPOL_DB="$out/flowpol.db"
echo "== flowpol collect --pcap samples/seed/capture.pcap"
"$bin" collect --node staging-node-1 --pcap samples/seed/capture.pcap
echo "== flowpol flows"
"$bin" flows
