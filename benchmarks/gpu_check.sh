#!/usr/bin/env bash
# One short run on a machine with a GPU (and another torch version): the CUDA engine and the
# whole test suite. Usage: bash benchmarks/gpu_check.sh OUTDIR
set -uo pipefail
out="${1:-/tmp/gpu_check}"
mkdir -p "$out"
export PYTHONPATH="$PWD" PYTHONUNBUFFERED=1 NO_COLOR=1
# Test-only packages the GPU image lacks travel as wheels in .whl/ (see the device tool's README).
if ls .whl/*.whl >/dev/null 2>&1; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
    && export PYTHONPATH="$PWD:/tmp/site"
fi
{
  python3 -c "import torch, torchvision, typer, rich; print('torch', torch.__version__, 'torchvision', torchvision.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"
  echo "--- resnet50 on cuda (real engine)"
  python3 -m shapecheck resnet50 --engine real --device cuda --depth 1; echo "exit $?"
  echo "--- vgg_view at 300 on cuda (real engine)"
  python3 -m shapecheck fixtures/vgg_view.py -i 3x300x300 --engine real --device cuda --depth 1; echo "exit $?"
  echo "--- maskrcnn on cuda (auto → real)"
  python3 -m shapecheck maskrcnn_resnet50_fpn --device cuda --depth 0; echo "exit $?"
  echo "--- explain"
  python3 -m shapecheck explain "mat1 and mat2 shapes cannot be multiplied (3584x7 and 25088x100)" | head -3
} 2>&1 | tee "$out/cuda.txt"
python3 -m pytest -q -p no:cacheprovider 2>&1 | tee "$out/pytest.txt" | tail -40
