#!/bin/sh
# The `gan` that `make install` puts on PATH: finds libtorch 2.11.0, then runs the real
# binary (installed beside this script as ../libexec/gan/gan) with it on LD_LIBRARY_PATH, so
# that the install keeps working when the build's .venv is moved or deleted.
#
# Search order (the first folder holding lib/libtorch_cpu.so of torch 2.11.0 wins):
#   1. $LIBTORCH      a libtorch folder, or a torch package folder
#   2. $TORCH_HOME    the same
#   3. the torch package of the active Python (python3 on PATH), found without importing it
#   4. the torch package of the venv the binary was built against (@BUILD_VENV@)
set -eu

here=$(cd "$(dirname "$0")" && pwd)
real="$here/../libexec/gan/gan"
build_venv='@BUILD_VENV@'
want=2.11.0
looked=""

# Sets $found to the lib folder of libtorch under $2, or notes in $looked why not ($3: what
# to say when $2 is empty).
lib_of() {
  name=$1 dir=$2
  if [ -z "$dir" ]; then
    looked="$looked
  $name: ${3:-not set}"
    return 0
  fi
  if [ ! -f "$dir/lib/libtorch_cpu.so" ]; then
    looked="$looked
  $name: $dir (no lib/libtorch_cpu.so)"
    return 0
  fi
  version=""
  if [ -f "$dir/version.py" ]; then
    version=$(sed -n "s/^__version__ = '\([^'+]*\).*/\1/p" "$dir/version.py")
  elif [ -f "$dir/build-version" ]; then
    version=$(sed 's/+.*//' "$dir/build-version")
  fi
  if [ -n "$version" ] && [ "$version" != "$want" ]; then
    looked="$looked
  $name: $dir (torch $version; gan needs $want)"
    return 0
  fi
  found="$dir/lib"
}

active_torch() {
  command -v python3 >/dev/null 2>&1 || return 0
  python3 -c 'import importlib.util as u
s = u.find_spec("torch")
print(s.submodule_search_locations[0] if s and s.submodule_search_locations else "")' 2>/dev/null || true
}

build_torch() {
  for d in "$build_venv"/lib/python3*/site-packages/torch; do
    [ -d "$d" ] && echo "$d" && return 0
  done
  echo "$build_venv/lib/python3/site-packages/torch"
}

found=""
lib_of LIBTORCH "${LIBTORCH:-}"
[ -n "$found" ] || lib_of TORCH_HOME "${TORCH_HOME:-}"
[ -n "$found" ] || lib_of "python3's torch" "$(active_torch)" "none (no python3 on PATH, or no torch package in it)"
[ -n "$found" ] || lib_of "the build's venv" "$(build_torch)"
if [ -z "$found" ]; then
  echo "gan: cannot find libtorch $want. Looked at:$looked
Install it with \`pip install torch==$want\` (into the active Python or a venv), or set LIBTORCH to a libtorch or torch package folder." >&2
  exit 1
fi
LD_LIBRARY_PATH="$found${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$real" "$@"
