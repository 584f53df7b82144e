"""Sequence losses and language-model attention: CTC layouts, class-index losses over tokens,
labels shifted for next-token prediction, causal masks and grouped key/value heads."""

import torch
import torch.nn.functional as F
from torch import nn


class CrnnCtc(nn.Module):
    """CRNN_Chinese_Characters_Rec #304: the recogniser's per-column scores are kept batch first,
    [B, T, C], and given to CTCLoss, which reads [T, N, C]: `input_lengths must be of size
    batch_size`."""

    def __init__(self, classes=37, hidden=64):
        super().__init__()
        self.cnn = nn.Sequential(nn.Conv2d(1, hidden, 3, 1, 1), nn.ReLU(), nn.AdaptiveAvgPool2d((1, 25)))
        self.rnn = nn.LSTM(hidden, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, classes)
        self.criterion = nn.CTCLoss()

    def forward(self, image, text):
        x = self.cnn(image).squeeze(2).permute(0, 2, 1)  # [B, T, hidden]
        x, _ = self.rnn(x)
        preds = self.fc(x).log_softmax(2)  # [B, T, C]
        b, t = preds.size(0), preds.size(1)
        preds_size = torch.full((b,), t, dtype=torch.long)
        length = torch.full((b,), text.size(1), dtype=torch.long)
        return self.criterion(preds, text, preds_size, length)


class QuestionDecoder(nn.Module):
    """question_generation #4: the decoder is fed question[:, :-1] (teacher forcing) and predicts
    T - 1 tokens, but the loss compares them with the whole question: `Expected input batch_size
    (1216) to match target batch_size (1280)` (64 × 19 against 64 × 20)."""

    def __init__(self, vocab=100, hidden=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.rnn = nn.GRU(hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, question):
        h, _ = self.rnn(self.embed(question[:, :-1]))
        pred = F.log_softmax(self.out(h), dim=-1)
        return F.nll_loss(pred.view(-1, pred.size(2)), question.view(-1))


class TaggerUnflattenedTarget(nn.Module):
    """FARM #100-like NER/LM heads: the logits are flattened to [B·T, V] and the labels left [B, T]:
    `Expected input batch_size (B·T) to match target batch_size (B)`."""

    def __init__(self, vocab=50, hidden=32, tags=9):
        super().__init__()
        self.embed = nn.Embedding(vocab, hidden)
        self.lstm = nn.LSTM(hidden, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, tags)
        self.criterion = nn.CrossEntropyLoss()

    def forward(self, tokens, tags):
        h, _ = self.lstm(self.embed(tokens))
        logits = self.fc(h)
        return self.criterion(logits.view(-1, logits.size(-1)), tags)


class NextTokenLoss(nn.Module):
    """transformers #35066 / stanford_alpaca #45: the logits are shifted for next-token prediction,
    logits[:, :-1], and the labels are not: `Expected target size [B, T-1], got [B, T]`."""

    def __init__(self, vocab=64, dim=32):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.head = nn.Linear(dim, vocab)

    def forward(self, input_ids):
        logits = self.head(self.embed(input_ids))
        shift_logits = logits[:, :-1, :]
        return F.cross_entropy(shift_logits.transpose(1, 2), input_ids)


class CausalSelfAttention(nn.Module):
    """xformers #66: the causal mask is built once for the longest sequence (block_size) and used
    whole on a shorter one: the mask overshoots the [B, H, T, T] scores."""

    def __init__(self, dim=64, heads=4, block_size=128):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.register_buffer("mask", torch.tril(torch.ones(block_size, block_size)))

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.qkv(x).split(c, dim=2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) / (c // self.heads) ** 0.5
        att = att.masked_fill(self.mask == 0, float("-inf"))
        y = att.softmax(dim=-1) @ v
        return self.proj(y.transpose(1, 2).reshape(b, t, c))


class GroupedQueryAttention(nn.Module):
    """llama #384 (repeat_kv): keys and values have num_key_value_heads (2) heads and the queries 8;
    the scores are taken without repeating the kv heads: `The size of tensor a (8) must match the
    size of tensor b (2) at non-singleton dimension 1`."""

    def __init__(self, dim=64, heads=8, kv_heads=2):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        self.q_proj = nn.Linear(dim, heads * self.head_dim)
        self.k_proj = nn.Linear(dim, kv_heads * self.head_dim)
        self.v_proj = nn.Linear(dim, kv_heads * self.head_dim)
        self.o_proj = nn.Linear(dim, dim)

    def forward(self, x):
        b, t, _ = x.shape
        q = self.q_proj(x).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(x).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(2, 3)) / self.head_dim**0.5
        out = torch.matmul(scores.softmax(-1), v)
        return self.o_proj(out.transpose(1, 2).reshape(b, t, -1))


class KvProjection(nn.Module):
    """Not an entry yet (SC113 verifies a pool of the keys, a wrong fix; the cause is the
    projection's out_features). zoology #20: the key projection is built for num_heads heads of
    feature_dim and viewed with num_key_value_heads: `shape '[1, 1024, 4, 16]' is invalid for input of size 131072`."""

    def __init__(self, d_model=64, num_heads=8, num_key_value_heads=4, feature_dim=16):
        super().__init__()
        self.num_key_value_heads, self.feature_dim = num_key_value_heads, feature_dim
        self.feature_map_k = nn.Linear(d_model, feature_dim * num_heads)

    def forward(self, x):
        b, n, _ = x.shape
        k = self.feature_map_k(x)
        k = k.view(b, n, self.num_key_value_heads, self.feature_dim).transpose(1, 2)
        return k


class KvCacheConcat(nn.Module):
    """Megatron-DeepSpeed #112: the layer's past keys [B, S, H, D] are concatenated with the new
    key [B, 1, H, D] along dim 0 instead of the sequence dim 1."""

    def __init__(self, dim=64, heads=4, past=5):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.key = nn.Linear(dim, dim)
        self.register_buffer("past_key", torch.zeros(1, past, heads, dim // heads))

    def forward(self, x):
        b, t, _ = x.shape
        key_layer = self.key(x).view(b, t, self.heads, self.head_dim)
        return torch.cat((self.past_key.type_as(key_layer), key_layer), dim=0)


BUGS = [
    dict(
        id="crnn-304-ctc-batch-first",
        source="https://github.com/Sierkinhane/CRNN_Chinese_Characters_Rec/issues/304",
        model="CrnnCtc",
        inputs=("1x32x100", "5:long"),
        layer="criterion",
        fixes=("transpose(0, 1)", "permute(1, 0, 2)"),
        batch=2,
    ),
    dict(
        id="question-generation-4-unshifted-labels",
        source="https://github.com/gauthierdmn/question_generation/issues/4",
        model="QuestionDecoder",
        inputs=("20:long",),
        layer="nll_loss",
        fixes=("question[:, 1:]",),
    ),
    dict(
        id="farm-100-target-not-flattened",
        source="https://github.com/deepset-ai/FARM/issues/100",
        model="TaggerUnflattenedTarget",
        inputs=("12:long", "12:long"),
        layer="criterion",
        fixes=("tags.view(-1)", "tags.reshape(-1)", "tags.flatten()"),
        batch=2,
    ),
    dict(
        id="alpaca-45-next-token-labels",
        source="https://github.com/tatsu-lab/stanford_alpaca/issues/45",
        model="NextTokenLoss",
        inputs=("16:long",),
        layer="cross_entropy",
        fixes=("input_ids[:, 1:]",),
    ),
    dict(
        id="xformers-66-causal-mask-overshoots",
        source="https://github.com/facebookresearch/xformers/pull/66",
        model="CausalSelfAttention",
        inputs=("16x64",),
        layer="masked_fill",
        fixes=(":att.size(-1)", "[:t, :t]", "[:T, :T]"),
    ),
    dict(
        id="llama-384-gqa-no-repeat-kv",
        source="https://github.com/meta-llama/llama/issues/384",
        model="GroupedQueryAttention",
        inputs=("16x64",),
        layer="matmul",
        fixes=("repeat_interleave(4, 1)", "repeat_interleave(4, dim=1)", "repeat_kv"),
    ),
    dict(
        id="megatron-deepspeed-112-kv-cache-cat-dim",
        source="https://github.com/deepspeedai/Megatron-DeepSpeed/pull/112",
        model="KvCacheConcat",
        inputs=("1x64",),
        layer="cat",
        fixes=("dim=1",),
    ),
]
