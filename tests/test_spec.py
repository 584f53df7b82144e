import pytest

from shapecheck.errors import SpecError
from shapecheck.spec import InputSpec, parse_arg, parse_input


@pytest.mark.parametrize(
    "text, dims, dtype",
    [
        ("3x300x300", (3, 300, 300), "float32"),
        ("1024", (1024,), "float32"),
        ("64:long", (64,), "int64"),
        ("3x224x224:float16", (3, 224, 224), "float16"),
        (" 3X32X32 ", (3, 32, 32), "float32"),
        ("scalar", (), "float32"),  # one value per sample: [batch]
        ("scalar:long", (), "int64"),
    ],
)
def test_valid_specs(text, dims, dtype):
    assert parse_input(text) == InputSpec(dims, dtype)


@pytest.mark.parametrize(
    "text, token",
    [
        ("3x", "missing dimension"),
        ("axb", "'a'"),
        ("-1x3", "-1"),
        ("0x3", "0"),
        ("", "empty"),
        ("3x300x300:float99", "float99"),
        ("3x2.5", "'2.5'"),
    ],
)
def test_malformed_specs_name_the_bad_token(text, token):
    with pytest.raises(SpecError) as err:
        parse_input(text)
    assert token in err.value.message
    assert "\n" not in err.value.message


@pytest.mark.parametrize(
    "text, spec",
    [
        ("mask=100:bool", InputSpec((100,), "bool", "mask")),
        (" lengths = 4:long", InputSpec((4,), "int64", "lengths")),
        ("x=3x8x8", InputSpec((3, 8, 8), "float32", "x")),
        ("t=scalar:long", InputSpec((), "int64", "t")),
    ],
)
def test_keyword_specs(text, spec):
    assert parse_input(text) == spec
    assert parse_input(str(spec)) == spec


@pytest.mark.parametrize("text", ["2mask=100", "a-b=3", "=100"])
def test_keyword_spec_needs_a_parameter_name(text):
    with pytest.raises(SpecError) as err:
        parse_input(text)
    assert "is not a parameter name" in err.value.message
    assert "NAME=DIMS" in err.value.hint


def test_shape_adds_batch_in_front():
    assert InputSpec((3, 8, 8)).shape(4) == (4, 3, 8, 8)
    assert InputSpec((3, 8, 8)).shape(None) == (3, 8, 8)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("num_classes=10", ("num_classes", 10)),
        ("dims=(64, 128)", ("dims", (64, 128))),
        ("mode=fast", ("mode", "fast")),
        ("flag=True", ("flag", True)),
    ],
)
def test_parse_arg(text, expected):
    assert parse_arg(text) == expected


@pytest.mark.parametrize("text", ["noequals", "=3", "1x=2"])
def test_parse_arg_rejects(text):
    with pytest.raises(SpecError):
        parse_arg(text)


@pytest.mark.parametrize("text", ["３x３２", "3_2x32x32", "3x２２4", "+3x32", "3x0x10"])
def test_only_ascii_digits_make_a_size(text):
    """int() reads fullwidth digits and underscores; a size on the command line is 0-9 only."""
    with pytest.raises(SpecError):
        parse_input(text)


def test_a_scalar_spec_reads_back_as_written_and_makes_one_value_per_sample():
    spec = parse_input("t=scalar:long")
    assert str(spec) == "t=scalar:int64" and spec.shape(4) == (4,) and spec.shape(None) == ()


def test_a_timestep_per_sample_traces_at_two_batch_sizes(tmp_path):
    """A diffusion step's `t` is [batch]: `--input scalar` gives it, where `--input 1` made [batch, 1]."""
    import shapecheck

    path = tmp_path / "step.py"
    path.write_text(
        "import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.conv = nn.Conv2d(3, 8, 3, padding=1)\n"
        "        self.t = nn.Linear(1, 8)\n\n"
        "    def forward(self, x, t):\n        return self.conv(x) + self.t(t[:, None].float())[:, :, None, None]\n"
    )
    report = shapecheck.check(f"{path}:Net", ["3x8x8", "scalar:long"], batch=3)
    assert report.findings == [] and [i.shape for i in report.inputs] == [(3, 3, 8, 8), (3,)]
    wrong = shapecheck.check(f"{path}:Net", ["3x8x8", "1:long"], batch=3)
    assert wrong.findings  # [3, 1] is not the [batch] this forward reads
