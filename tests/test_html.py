"""`--format html`: one self-contained page with an SVG graph, the findings and the table,
rendered in headless Chromium where the machine has it (Debian's `chromium` package)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from typer.testing import CliRunner

from shapecheck.cli import app

runner = CliRunner()
UNET = ["fixtures/rules/sc109_concat_mismatch.py:UNet", "-i", "3x100x100"]


def _page(*args: str) -> str:
    result = runner.invoke(app, [*args, "--format", "html"])
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_the_page_stands_alone():
    page = _page(*UNET)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert page.count("<svg") == 1 and "<h2>Findings</h2>" in page and "<h2>Layers</h2>" in page
    assert "error[SC109]: `torch.cat` at line 30 joins tensors that differ in dim 2: 24 vs 25" in page


def test_the_failing_row_and_the_tensors_into_it_are_marked():
    page = _page(*UNET)
    failed = re.findall(r'<g class="node op failed">.*?</g>', page)
    assert len(failed) == 1 and ">cat<" in failed[0]
    # both inputs of the cat: the upsampled map [1, 32, 24, 24] and the skip [1, 32, 25, 25]
    labels = re.findall(r'<text class="shape failing"[^>]*>([^<]*)</text>', page)
    assert sorted(labels) == ["[1, 32, 24, 24]", "[1, 32, 25, 25]"]
    assert page.count('class="edge failing"') == 2


def test_repeated_blocks_fold_and_an_in_place_relu_sits_in_the_chain():
    page = _page("resnet18")
    assert "layer1.0 – layer1.1 (×2)" in page and 'class="behind"' in page
    assert "layer1.1</text>" not in page  # folded, not drawn again
    assert "<svg" in page and 'class="node failed"' not in page and "✓ no shape problems found" in page
    # bn1 → relu → maxpool: three short edges in a row, no edge skipping the in-place relu
    assert page.count("<path class=") == 0


def test_a_model_that_does_not_load_is_one_line_exit_2():
    result = runner.invoke(app, ["nonexistent_model_name", "--format", "html"])
    assert result.exit_code == 2 and result.stderr.startswith("error: ") and result.stdout == ""


@pytest.mark.skipif(not shutil.which("chromium"), reason="headless Chromium (Debian's chromium package) not here")
def test_chromium_draws_the_graph_with_the_failure_in_red(tmp_path):
    from PIL import Image

    html = tmp_path / "unet.html"
    html.write_text(_page(*UNET), encoding="utf-8")
    shot = tmp_path / "unet.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--screenshot={shot}",
            "--window-size=1000,2300",
            html.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    image = Image.open(shot).convert("RGB")
    assert image.size == (1000, 2300)
    data = image.tobytes()
    pixels = [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]
    red = sum(1 for r, g, b in pixels if r > 180 and g < 80 and b < 80)  # the failing edges and box (#cf222e)
    light_red = sum(1 for r, g, b in pixels if r > 250 and 225 < g < 240 and 225 < b < 240)  # its fill (#ffebe9)
    blue = sum(1 for r, g, b in pixels if r < 230 and g > 235 and b > 250)  # the input box (#ddf4ff)
    grey_box = sum(1 for r, g, b in pixels if (r, g, b) == (246, 248, 250))  # module boxes (#f6f8fa)
    assert red > 2000 and light_red > 5000 and blue > 5000 and grey_box > 50000, (red, light_red, blue, grey_box)
