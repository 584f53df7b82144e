"""Canaries: each private torch/torchvision API shapecheck leans on, and what happens when it
moves. A failure here names the API to look at after a torch upgrade; the fallback column is
what users get meanwhile (tested elsewhere where it can be)."""

import inspect

import pytest
import torch


def test_symbolic_engine_apis():
    # domain/symbolic.py: --symbolic. Fallback: the accepted sizes come from probes
    # ("Unavailable: torch X has no …" in the note).
    from torch._subclasses.fake_tensor import FakeTensorMode
    from torch.fx.experimental.symbolic_shapes import DimDynamic, ShapeEnv, StatelessSymbolicContext

    env = ShapeEnv(duck_shape=False)
    mode = FakeTensorMode(shape_env=env)
    fake = mode.from_tensor(
        torch.empty(2, 3), symbolic_context=StatelessSymbolicContext(dynamic_sizes=[DimDynamic.DYNAMIC] * 2)
    )
    assert isinstance(fake.shape[0], torch.SymInt)
    from torch._dispatch.python import enable_python_dispatcher  # noqa: F401 - used for some models


def test_fake_mask_apis():
    # trace/engines.py and recorder.py: default attention masks are FakeTensors that meet plain
    # meta tensors. Fallback: a plain meta mask, which transformers reads, so the real engine.
    from torch._subclasses.fake_tensor import FakeTensor, FakeTensorMode

    mode = FakeTensorMode(allow_non_fake_inputs=True)
    mask = mode.from_tensor(torch.ones(1, 4, dtype=torch.long, device="meta"))
    out = mask[:, None, :] * torch.empty(1, 4, 1, dtype=torch.long, device="meta")
    assert isinstance(out, FakeTensor) and out.shape == (1, 4, 4)


def test_export_archive_apis():
    # saved/program.py: .pt2 without unpickling. Fallback: the archive is refused (exit 2) with a
    # --trust-pickle hint, never opened unsafely (tests/test_untrusted.py checks the refusal).
    from shapecheck.saved.program import _internals

    assert _internals() is not None


def test_torchvision_download_hook():
    # loading: offline pretrained weights. torchvision.models._api binds load_state_dict_from_url
    # at import; shapecheck replaces it while building. Fallback: the worker refuses the network.
    import torchvision.models._api as api

    assert callable(api.load_state_dict_from_url)


def test_module_call_frames_that_shapecheck_run_reads():
    # live.py: the model and its arguments come from Module._call_impl's frame (`self`, `args`,
    # `kwargs`). Fallback: the error is not tied to a model; the traceback still prints.
    from torch.nn.modules.module import Module

    for name in ("_call_impl", "_wrapped_call_impl"):
        params = inspect.signature(getattr(Module, name)).parameters
        assert [p.kind for p in params.values()][1:] == [
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        ]
        assert list(params)[1:] == ["args", "kwargs"]


def test_registration_hook_and_fast_path_switch():
    # loading.weightless: where each layer is defined. Fallback: none (no definition lines).
    assert callable(torch.nn.modules.module.register_module_module_registration_hook)
    # engines.no_fastpath: padded encoders on meta. Fallback: the real engine for those models.
    assert callable(getattr(torch.backends.mha, "set_fastpath_enabled", None))


@pytest.mark.parametrize(
    "name",
    [
        "torch._C._nn.linear",
        "torch._C._nn.scaled_dot_product_attention",
        "torch._C._nn.adaptive_avg_pool2d",
        "torch._C._nn.avg_pool2d",
    ],
)
def test_op_names_the_recorder_lists(name):
    # trace/recorder.py: ops recognised by name. Fallback: the op is not listed as a row.
    obj = torch
    for part in name.split(".")[1:]:
        obj = getattr(obj, part)
    assert callable(obj)
