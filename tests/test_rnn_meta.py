"""Recurrent layers on meta: the same shapes as a real run, in a time that does not grow with
the sequence (torch.lstm and its kin are shaped at once, not step by step)."""

from __future__ import annotations

import time

import pytest
import torch
from torch import nn

import shapecheck

CASES = [
    (nn.LSTM(8, 6, num_layers=2, batch_first=True), "7x8"),
    (nn.LSTM(8, 6, bidirectional=True, proj_size=4), "7x8"),
    (nn.GRU(8, 6, num_layers=3, bidirectional=True, batch_first=True), "7x8"),
    (nn.RNN(8, 6, nonlinearity="relu"), "7x8"),
    (nn.RNN(8, 6, bias=False, batch_first=True), "7x8"),
]


@pytest.mark.parametrize("layer, spec", CASES, ids=[f"{type(c[0]).__name__}-{i}" for i, c in enumerate(CASES)])
def test_meta_shapes_are_the_real_ones(layer, spec):
    meta = shapecheck.check(layer, spec, batch=3, engine="meta")
    real = shapecheck.check(layer, spec, batch=3, engine="real")
    assert [t.shape for t in meta.layers[0].outputs] == [t.shape for t in real.layers[0].outputs]
    unbatched = shapecheck.check(layer, spec, no_batch=True, engine="meta")
    assert unbatched.layers[0].outputs[0].shape == real.layers[0].outputs[0].shape[1:] or layer.batch_first


def test_a_packed_sequence_keeps_its_shapes():
    from shapecheck.trace.rnn_meta import lstm_shapes

    lstm = nn.LSTM(4, 5, bidirectional=True)
    packed = nn.utils.rnn.pack_padded_sequence(torch.randn(6, 3, 4), torch.tensor([6, 4, 3]))
    out, (h, c) = lstm(packed)
    meta = [t.to("meta") for t in (packed.data, h, c)]
    params = [p.to("meta") for p in lstm._flat_weights]
    shapes = lstm_shapes((meta[0], packed.batch_sizes, (meta[1], meta[2]), params, True, 1, 0.0, False, True), {})
    assert (
        [tuple(t.shape) for t in shapes]
        == [tuple(out.data.shape), tuple(h.shape), tuple(c.shape)]
        == [
            (13, 10),
            (2, 3, 5),
            (2, 3, 5),
        ]
    )


def _best(model, spec, runs=5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        shapecheck.check(model, spec, batch=4)
        times.append(time.perf_counter() - start)
    return min(times)


def test_an_lstm_at_500_tokens_takes_about_its_time_at_50():
    model = nn.LSTM(128, 256, num_layers=2, batch_first=True)
    shapecheck.check(model, "10x128")  # imports and caches warmed
    short, long = _best(model, "50x128"), _best(model, "500x128")
    assert long <= 1.5 * short + 0.05, (short, long)  # was 4.9 s against 12.0 s
