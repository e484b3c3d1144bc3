#!/usr/bin/env bash
# Set up (or refresh) the virtualenv at .venv with infscale and every extra, offline but for PyPI.
# llama-cpp-python has no binary wheel and compiles for 6-8 minutes with -march=native, so the built wheel
# is kept under ~/.cache/infscale/wheels/<cpu key>/ and reused: a repeat setup takes well under a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
LLAMA_CPP_VERSION="${LLAMA_CPP_VERSION:-0.3.36}"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null || PY=python3
export HF_HUB_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1

if [ ! -x .venv/bin/python ]; then
  echo "[setup] creating .venv"
  "$PY" -m venv .venv
fi
PIP=(.venv/bin/python -m pip install -q)

# The built wheel is only good on the same kind of CPU: key the cache on the model name and ISA flags.
cpu_key=$( (grep -m1 'model name' /proc/cpuinfo; grep -m1 '^flags' /proc/cpuinfo) | sha256sum | cut -c1-16)
wheel_dir="${INFSCALE_CACHE:-$HOME/.cache/infscale}/wheels/$cpu_key"
mkdir -p "$wheel_dir"
wheel=$(ls "$wheel_dir"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  echo "[setup] building llama-cpp-python $LLAMA_CPP_VERSION once (6-8 minutes on 2 cores); cached in $wheel_dir"
  CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" .venv/bin/python -m pip wheel -q --no-deps -w "$wheel_dir" \
    "llama-cpp-python==$LLAMA_CPP_VERSION"
  wheel=$(ls "$wheel_dir"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl | head -n1)
fi
if ! .venv/bin/python -c "import llama_cpp, sys; sys.exit(llama_cpp.__version__ != '$LLAMA_CPP_VERSION')" 2>/dev/null; then
  echo "[setup] installing $(basename "$wheel")"
  "${PIP[@]}" "$wheel"
fi

echo "[setup] installing infscale with its extras"
"${PIP[@]}" -e ".[local,server,arc,search,plots,sandbox,dev]" 2>&1 | grep -vE "^WARNING: Location|is ignored" || true
.venv/bin/python -c "import infscale, llama_cpp" || { echo "[setup] install failed" >&2; exit 1; }
echo "[setup] ready: .venv/bin/infscale"
