#!/usr/bin/env bash
# Print the path of a Python >= 3.12: first on PATH, then under pyenv. Fail clearly if none.
set -u
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; }
for name in python3.13 python3.12 python3 python; do
  path=$(command -v "$name" 2>/dev/null) || continue
  if ok "$path"; then echo "$path"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for path in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do
  if ok "$path"; then echo "$path"; exit 0; fi
done
echo "ccsim needs Python >= 3.12 (Mesa 3.4 and later require it); none found on PATH or under pyenv." >&2
exit 1
