"""Sequence layouts: batch-first tensors into seq-first modules, channels-last into Conv1d."""

import torch
from torch import nn


class ImdbLstm(nn.Module):
    """pytorch #2674: embeds are (batch 64, 150 words, 125) but the LSTM is seq-first, so it runs
    over the batch and `lstm_out[-1]` is the last sample, one row per word: the output's first dim
    is the sequence length, not the batch."""

    def __init__(self, max_features=30000, embed=125, hidden=100):
        super().__init__()
        self.embedding = nn.Embedding(max_features, embed)
        self.lstm = nn.LSTM(input_size=embed, hidden_size=hidden)
        self.l_out = nn.Linear(hidden, 2)

    def forward(self, x):
        embeds = self.embedding(x)
        lstm_out, _ = self.lstm(embeds)
        return self.l_out(lstm_out[-1])


class RevAttention(nn.Module):
    """minREV #4: nn.MultiheadAttention left seq-first, given x as (N, L, E): attention mixes the
    samples of the batch and never the tokens."""

    def __init__(self, dim=64, heads=4):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads)

    def forward(self, x):
        y = self.norm(x)
        out, _ = self.attn(y, y, y)
        return x + out


class CrossAttention(nn.Module):
    """pytorch #122959: queries (B, 10, E) attend to memory (B, 20, E); without batch_first the
    module reads 10 and 20 as batch sizes."""

    def __init__(self, dim=64, heads=8):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, heads)

    def forward(self, q, memory):
        out, _ = self.attn(q, memory, memory)
        return out


class PhasenRnn(nn.Module):
    """phasen #13: the GRU gets [B, T, D*C] but is not batch_first: it runs along the batch."""

    def __init__(self, d=8, c=8, hidden=64):
        super().__init__()
        self.rnn = nn.GRU(d * c, hidden, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, 257)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out)


class StyleEncoder(nn.Module):
    """controllable-text-attribute-transfer #17: a GRU fed [batch, seq, hidden] as if seq-first;
    the last hidden state is then per position, not per sentence."""

    def __init__(self, vocab=9000, hidden=256):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.gru = nn.GRU(hidden, hidden)

    def forward(self, tokens):
        _, h = self.gru(self.embed(tokens))
        return h.squeeze(0)


class TextCnn(nn.Module):
    """text-classification-pytorch #1: embeddings (batch, length, embedding_dim) into Conv1d
    (in_channels=embedding_dim) with the permute commented out."""

    def __init__(self, vocab=20000, embedding_dim=300, n_filters=100, n_classes=5):
        super().__init__()
        self.embedding = nn.Embedding(vocab, embedding_dim)
        self.conv = nn.Conv1d(embedding_dim, n_filters, kernel_size=3)
        self.fc = nn.Linear(n_filters, n_classes)

    def forward(self, x):
        x = self.embedding(x)
        # x = x.permute(0, 2, 1)
        x = torch.relu(self.conv(x))
        x = x.max(dim=2).values
        return self.fc(x)


class RmFormerAttention(nn.Module):
    """RMFormer #1: nn.MultiheadAttention(dim, kdim=vdim) without batch_first (PyTorch < 1.9 had
    no such argument), given batch-first queries and keys of other lengths."""

    def __init__(self, dim=64, vdim=48):
        super().__init__()
        self.attn = nn.MultiheadAttention(dim, num_heads=1, kdim=vdim, vdim=vdim)

    def forward(self, qin, kin):
        return self.attn(query=qin, key=kin, value=kin)[0]


BUGS = [
    dict(
        id="pytorch-2674-imdb-seq-first",
        source="https://github.com/pytorch/pytorch/issues/2674",
        model="ImdbLstm",
        inputs=("150:long",),
        layer="lstm",
        fixes=("batch_first=True", "transpose(0, 1)", "permute(1, 0"),
        kind="silent",
        batch=64,
    ),
    dict(
        id="minrev-4-mha-seq-first",
        source="https://github.com/karttikeya/minREV/issues/4",
        model="RevAttention",
        inputs=("16x64",),
        layer="attn",
        fixes=("batch_first=True", "transpose(0, 1)"),
        kind="silent",
        batch=4,
    ),
    dict(
        id="pytorch-122959-mha-batch-first",
        source="https://github.com/pytorch/pytorch/issues/122959",
        model="CrossAttention",
        inputs=("10x64", "20x64"),
        layer="attn",
        fixes=("batch_first=True",),
        batch=2,
    ),
    dict(
        id="phasen-13-gru-seq-first",
        source="https://github.com/huyanxin/phasen/issues/13",
        model="PhasenRnn",
        inputs=("100x64",),
        layer="rnn",
        fixes=("batch_first=True",),
        kind="silent",
        batch=4,
    ),
    dict(
        id="controllable-text-17-gru",
        source="https://github.com/Nrgeup/controllable-text-attribute-transfer/issues/17",
        model="StyleEncoder",
        inputs=("30:long",),
        layer="gru",
        fixes=("batch_first=True", "transpose(0, 1)"),
        kind="silent",
        batch=8,
    ),
    dict(
        id="text-classification-1-conv1d",
        source="https://github.com/ZephyrChenzf/text-classification-pytorch/issues/1",
        model="TextCnn",
        inputs=("50:long",),
        layer="conv",
        fixes=("permute(0, 2, 1)", "transpose(1, 2)", "transpose(2, 1)"),
        batch=2,
    ),
    dict(
        id="rmformer-1-mha-kdim-seq-first",
        source="https://github.com/DrowsyMon/RMFormer/issues/1",
        model="RmFormerAttention",
        inputs=("12x64", "36x48"),
        layer="attn",
        fixes=("batch_first=True", "transpose(0, 1)"),
        batch=2,
    ),
]
