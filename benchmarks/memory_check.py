"""shapecheck's memory figures (`--memory`, `--fit`) against torch's fake-tensor memory tracker.

For each model and batch size: the peak of a training step with Adam (forward, backward,
optimizer step; the second iteration, when Adam's states exist) and of an inference pass under
no_grad, as `torch.distributed._tools.mem_tracker.MemTracker` measures them on fake tensors,
beside what shapecheck states. Exit 1 when any differs by more than 15 %.

    python benchmarks/memory_check.py [--batch 8 32]

With a GPU (`--device cuda`) the reference is `torch.cuda.max_memory_allocated` of a real step.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch
import torchvision

import shapecheck

MODELS = ["resnet18", "resnet50", "vgg16", "mobilenet_v2", "efficientnet_b0", "vit_b_16", "swin_t", "convnext_tiny"]
TOLERANCE = 0.15


def _build(name: str) -> torch.nn.Module:
    return getattr(torchvision.models, name)()


def _on_meta(build) -> torch.nn.Module:
    with torch.device("meta"):
        return build()


def _fake(model: torch.nn.Module) -> torch.nn.Module:
    """The model with fake parameters, made inside the FakeTensorMode (built on meta first: its
    init reads values fake tensors lack)."""
    for module in model.modules():
        for key, p in module._parameters.items():
            if p is not None:
                module._parameters[key] = torch.nn.Parameter(torch.empty(p.shape, dtype=p.dtype), p.requires_grad)
        for key, b in module._buffers.items():
            if b is not None:
                module._buffers[key] = torch.empty(b.shape, dtype=b.dtype)
    return model


def tracker_peaks(name_or_build, batch: int, dims=(3, 224, 224)) -> tuple[int, int]:
    """(training, inference) peak bytes by MemTracker on fake tensors, of a torchvision model by
    name or of what `build()` returns, on a float input of `dims` per sample."""
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.distributed._tools.mem_tracker import MemTracker

    build = (lambda: _build(name_or_build)) if isinstance(name_or_build, str) else name_or_build
    built, built_eval = _on_meta(build), _on_meta(build)
    with FakeTensorMode():
        model = _fake(built)
        x = torch.randn(batch, *dims)
        opt = torch.optim.Adam(model.parameters())
        tracker = MemTracker()
        tracker.track_external(model, opt)
        with tracker:
            for step in range(2):
                model(x).sum().backward()
                opt.step()
                opt.zero_grad()
                if step == 0:
                    tracker.reset_mod_stats()
        training = sum(v["Total"] for v in tracker.get_tracker_snapshot("peak").values())
        model = _fake(built_eval).eval()
        tracker = MemTracker()
        tracker.track_external(model)
        with tracker, torch.no_grad():
            model(x)
        inference = sum(v["Total"] for v in tracker.get_tracker_snapshot("peak").values())
    return training, inference


def cuda_peaks(name: str, batch: int) -> tuple[int, int]:
    """(training, inference) peak bytes of real steps on the GPU."""
    device = torch.device("cuda")
    model = _build(name).to(device)
    x = torch.randn(batch, 3, 224, 224, device=device)
    opt = torch.optim.Adam(model.parameters())
    for step in range(2):
        if step == 1:
            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
        model(x).sum().backward()
        opt.step()
        opt.zero_grad()
    torch.cuda.synchronize()
    training = torch.cuda.max_memory_allocated()
    del opt, model
    torch.cuda.empty_cache()
    model = _build(name).to(device).eval()
    torch.cuda.reset_peak_memory_stats()
    with torch.no_grad():
        model(x)
    torch.cuda.synchronize()
    inference = torch.cuda.max_memory_allocated()
    return training, inference


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--device", default="cpu", help="cpu: MemTracker on fake tensors; cuda: a real GPU")
    parser.add_argument("--models", nargs="+", default=MODELS)
    opts = parser.parse_args()
    reference = cuda_peaks if opts.device == "cuda" else tracker_peaks
    worst = 0.0
    print(f"{'model':<16} {'batch':>5}  {'training':>22}  {'inference':>22}  (shapecheck / reference, MiB)")
    for name in opts.models:
        for batch in opts.batch:
            start = time.perf_counter()
            memory = shapecheck.check(name, "3x224x224", batch=batch, memory=True).trace.memory
            ours = time.perf_counter() - start
            want_train, want_infer = reference(name, batch)
            got_train, got_infer = memory.training(batch), memory.inference(batch)
            errors = [(got_train - want_train) / want_train, (got_infer - want_infer) / want_infer]
            worst = max(worst, *map(abs, errors))
            print(
                f"{name:<16} {batch:>5}  {got_train / 2**20:9.0f} / {want_train / 2**20:6.0f} {errors[0]:+6.1%}"
                f"  {got_infer / 2**20:9.0f} / {want_infer / 2**20:6.0f} {errors[1]:+6.1%}   ({ours:.1f} s)"
            )
    print(f"worst difference {worst:.1%} (limit {TOLERANCE:.0%})")
    return 0 if worst <= TOLERANCE else 1


if __name__ == "__main__":
    sys.exit(main())
