"""The torchvision models shapecheck knows by name: families and their usual inputs."""

from __future__ import annotations

from dataclasses import dataclass

from ..spec import InputSpec

_FAMILIES = ("classification", "segmentation", "detection", "video", "optical_flow", "quantization")

# Inputs the torchvision docs and weight transforms use; anything not listed takes 3x224x224.
_SPECIAL_INPUTS = {
    "inception_v3": "3x299x299",
    "quantized_inception_v3": "3x299x299",
    "r3d_18": "3x16x112x112",
    "mc3_18": "3x16x112x112",
    "r2plus1d_18": "3x16x112x112",
    "s3d": "3x16x224x224",
    "mvit_v1_b": "3x16x224x224",
    "mvit_v2_s": "3x16x224x224",
    "swin3d_t": "3x16x224x224",
    "swin3d_s": "3x16x224x224",
    "swin3d_b": "3x16x224x224",
    "raft_large": ("3x224x224", "3x224x224"),
    "raft_small": ("3x224x224", "3x224x224"),
    "ssd300_vgg16": "3x300x300",
    "ssdlite320_mobilenet_v3_large": "3x320x320",
}
_FAMILY_INPUTS = {"segmentation": "3x520x520", "detection": "3x800x800"}


@dataclass(frozen=True)
class NamedModel:
    name: str
    family: str
    default_inputs: tuple[str, ...]

    @property
    def takes_image_list(self) -> bool:
        """Detection models take a list of [C, H, W] images, not a batched tensor."""
        return self.family == "detection"

    def specs(self) -> list[InputSpec]:
        from ..spec import parse_input

        return [parse_input(s) for s in self.default_inputs]


def _torchvision_models():
    """torchvision.models, or a LoadError that says how to get it (an optional extra: a hard
    dependency let pip replace the torch a project had)."""
    try:
        import torchvision.models as tvm
    except ImportError:
        from ..errors import LoadError

        raise LoadError(
            "torchvision is not installed: model names (vgg16, resnet18) are torchvision's",
            hint="pip install torchvision (the release that matches your torch), or pass a .py file or module:Name",
        ) from None
    return tvm


def _family_of() -> dict[str, str]:
    tvm = _torchvision_models()

    out = {}
    for family in _FAMILIES[1:]:
        for name in tvm.list_models(module=getattr(tvm, family)):
            out[name] = family
    return out


def named_models() -> dict[str, NamedModel]:
    """Every name in torchvision.models.list_models(), with family and default input."""
    tvm = _torchvision_models()

    families = _family_of()
    out = {}
    for name in tvm.list_models():
        family = families.get(name, "classification")
        default = _SPECIAL_INPUTS.get(name, _FAMILY_INPUTS.get(family, "3x224x224"))
        inputs = default if isinstance(default, tuple) else (default,)
        out[name] = NamedModel(name, family, inputs)
    return out


def family_order() -> tuple[str, ...]:
    return _FAMILIES
