#!/bin/sh
# Copies seeds from the test data into fuzz/corpus/<target>/ (not committed: fuzz/.gitignore).
# Each seed is cut to its first 64 KiB so executions stay fast. Run from anywhere.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
corpus="$root/fuzz/corpus"
seed() { # target file [prefix-byte]
    mkdir -p "$corpus/$1"
    name=$(printf '%s' "$2" | sed "s|$root/||; s|/|_|g")
    if [ -n "${3:-}" ]; then
        { printf "$3"; head -c 65536 "$2"; } > "$corpus/$1/$name"
    else
        head -c 65536 "$2" > "$corpus/$1/$name"
    fi
}
for f in "$root"/tests/data/logs/* "$root"/scenarios/*/*.log; do
    [ -f "$f" ] || continue
    seed log_parser "$f" '\007'
    seed redact "$f" '\000ABCDEFGHIJKL'
    seed anonymize "$f" '\000ABCDEFGHIJKL'
done
for f in "$root"/scenarios/*/case.toml; do seed manifest "$f"; done
for f in "$root"/profiles/*.toml; do seed profile "$f"; done
for f in "$root"/tests/data/conformance/*.json; do seed vector "$f"; done
mkdir -p "$corpus/jsonrpc"
i=0
for answer in \
    '{"jsonrpc":"2.0","id":1,"result":"4.4.20"}' \
    '{"jsonrpc":"2.0","id":1,"result":{"position":12,"line":1,"logText":"hello @K\n"}}' \
    '{"jsonrpc":"2.0","id":99999,"error":{"code":2,"message":"Vous n'"'"'êtes pas autorisé (clé @K)"}}' \
    '{"jsonrpc":"1.0","id":1,"result":"ok"}' \
    '{"jsonrpc":"2.0","id":1,"error":{"code":-32600,"message":"Requête invalide @K"}}' \
    '<br /><b>Warning</b>: apikey=@K {"jsonrpc":"2.0","id":1,"result":"ok"}'; do
    i=$((i + 1))
    printf '%s' "$answer" > "$corpus/jsonrpc/seed-$i"
done
echo "seeds in $corpus: $(find "$corpus" -type f | wc -l) files"
