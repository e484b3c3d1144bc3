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

# Build for this CPU's instruction sets, but never with AMX: ggml's AMX matmul crashes (SIGSEGV) on the
# VMs we run on, and -march=native would switch it on. So GGML_NATIVE is off and each ISA extension the
# CPU reports is switched on explicitly. The wheel is only good on the same kind of CPU: the cache is keyed
# on the CPU model, its flags and this build recipe.
flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
cmake_args="-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
for pair in avx:AVX avx2:AVX2 avx_vnni:AVX_VNNI fma:FMA f16c:F16C bmi2:BMI2 avx512f:AVX512 \
            avx512vbmi:AVX512_VBMI avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16; do
  case "$flags" in *" ${pair%%:*} "*) cmake_args+=" -DGGML_${pair#*:}=ON" ;; *) cmake_args+=" -DGGML_${pair#*:}=OFF" ;; esac
done
cpu_key=$( (grep -m1 'model name' /proc/cpuinfo; echo "$flags"; echo "$cmake_args") | sha256sum | cut -c1-16)
wheel_dir="${INFSCALE_CACHE:-$HOME/.cache/infscale}/wheels/$cpu_key"
mkdir -p "$wheel_dir"
wheel=$(ls "$wheel_dir"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl 2>/dev/null | head -n1 || true)
if [ -z "$wheel" ]; then
  echo "[setup] building llama-cpp-python $LLAMA_CPP_VERSION once (6-8 minutes on 2 cores); cached in $wheel_dir"
  CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="$(nproc)" .venv/bin/python -m pip wheel -q --no-cache-dir --no-deps -w "$wheel_dir" \
    "llama-cpp-python==$LLAMA_CPP_VERSION"
  wheel=$(ls "$wheel_dir"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl | head -n1)
fi
stamp=.venv/.llama_cpp_wheel
if [ "$(cat "$stamp" 2>/dev/null)" != "$wheel" ]; then
  echo "[setup] installing $(basename "$wheel")"
  "${PIP[@]}" --force-reinstall --no-deps "$wheel"
  echo "$wheel" > "$stamp"
fi

echo "[setup] installing infscale with its extras"
"${PIP[@]}" -e ".[local,server,arc,search,plots,sandbox,dev]" 2>&1 | grep -vE "^WARNING: Location|is ignored" || true
.venv/bin/python -c "import infscale, llama_cpp" || { echo "[setup] install failed" >&2; exit 1; }
echo "[setup] ready: .venv/bin/infscale"
