"""Correct models of the families in families2.py: what the threads' models do once fixed. No
entry here is a bug; shapecheck must find nothing in them (tests/test_corpus_clean.py)."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class LlamaStyleBlock(nn.Module):
    """Grouped-query attention with rotary embeddings over the whole head, the kv heads repeated
    (repeat_interleave on the head dim), a causal mask cropped to the sequence, a kv cache joined
    on the sequence dim, heads split with view + transpose and merged back with transpose +
    reshape, an RMS norm with keepdim, and next-token logits."""

    def __init__(self, vocab=32, dim=32, heads=4, kv_heads=2, max_len=64, past=3):
        super().__init__()
        self.heads, self.kv_heads, self.head_dim = heads, kv_heads, dim // heads
        self.embed = nn.Embedding(vocab, dim)
        self.norm_weight = nn.Parameter(torch.ones(dim))
        self.q_proj = nn.Linear(dim, heads * self.head_dim, bias=False)
        self.k_proj = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.v_proj = nn.Linear(dim, kv_heads * self.head_dim, bias=False)
        self.o_proj = nn.Linear(heads * self.head_dim, dim, bias=False)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        half = self.head_dim // 2
        inv_freq = 1.0 / (10000 ** (torch.arange(0, half).float() / half))
        freqs = torch.arange(max_len + past).float()[:, None] * inv_freq[None, :]
        emb = torch.cat([freqs, freqs], dim=-1)  # [positions, head_dim]
        self.register_buffer("cos", emb.cos())
        self.register_buffer("sin", emb.sin())
        self.register_buffer("mask", torch.tril(torch.ones(max_len + past, max_len + past, dtype=torch.bool)))
        self.register_buffer("past_key", torch.zeros(1, kv_heads, past, self.head_dim))
        self.register_buffer("past_value", torch.zeros(1, kv_heads, past, self.head_dim))

    def rotate(self, x, positions):
        half = self.head_dim // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * self.cos[positions] + rotated * self.sin[positions]

    def forward(self, input_ids):
        b, t = input_ids.shape
        p = self.past_key.size(2)
        x = self.embed(input_ids)
        h = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6) * self.norm_weight
        q = self.q_proj(h).view(b, t, self.heads, self.head_dim).transpose(1, 2)
        k = self.k_proj(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        v = self.v_proj(h).view(b, t, self.kv_heads, self.head_dim).transpose(1, 2)
        positions = torch.arange(p, p + t)
        q, k = self.rotate(q, positions), self.rotate(k, positions)
        k = torch.cat([self.past_key.expand(b, -1, -1, -1), k], dim=2)
        v = torch.cat([self.past_value.expand(b, -1, -1, -1), v], dim=2)
        groups = self.heads // self.kv_heads
        k = k.repeat_interleave(groups, dim=1)
        v = v.repeat_interleave(groups, dim=1)
        scores = q @ k.transpose(-2, -1) / math.sqrt(self.head_dim)
        scores = scores.masked_fill(~self.mask[p : p + t, : p + t], float("-inf"))
        out = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, t, -1)
        return self.lm_head(x + self.o_proj(out))


class NextTokenLoss(nn.Module):
    """The block above with its loss: logits[:, :-1] against the labels shifted once,
    input_ids[:, 1:], the classes moved to dim 1 for cross_entropy."""

    def __init__(self):
        super().__init__()
        self.model = LlamaStyleBlock()

    def forward(self, input_ids):
        logits = self.model(input_ids)
        return F.cross_entropy(logits[:, :-1].transpose(1, 2), input_ids[:, 1:])


class TimeResBlock(nn.Module):
    def __init__(self, in_channels, out_channels, time_dim, groups=8):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.time = nn.Linear(time_dim, out_channels)
        self.norm2 = nn.GroupNorm(groups, out_channels)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
        self.skip = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else nn.Identity()

    def forward(self, x, temb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time(temb)[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class SpatialAttention(nn.Module):
    def __init__(self, channels, heads=4):
        super().__init__()
        self.norm = nn.GroupNorm(8, channels)
        self.mha = nn.MultiheadAttention(channels, heads, batch_first=True)

    def forward(self, x):
        b, c, h, w = x.shape
        tokens = self.norm(x).flatten(2).transpose(1, 2)  # [B, H·W, C]
        out, _ = self.mha(tokens, tokens, tokens)
        return x + out.transpose(1, 2).reshape(b, c, h, w)


class DiffusionUNet(nn.Module):
    """A small DDPM UNet that takes any image size: a sinusoidal timestep embedding [B, time_dim]
    added to the feature maps as [B, C, 1, 1], GroupNorm(8, ·) on channels that are multiples of
    8, attention over the flattened H·W read from x.shape, and up-sampled maps resized to their
    skip before the concatenation."""

    def __init__(self, in_channels=3, ch=32, time_dim=64):
        super().__init__()
        self.time_dim = time_dim
        self.time_mlp = nn.Sequential(nn.Linear(time_dim, time_dim), nn.SiLU(), nn.Linear(time_dim, time_dim))
        self.conv_in = nn.Conv2d(in_channels, ch, 3, padding=1)
        self.down1 = TimeResBlock(ch, ch, time_dim)
        self.pool = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.down2 = TimeResBlock(ch, 2 * ch, time_dim)
        self.attn = SpatialAttention(2 * ch)
        self.up = TimeResBlock(3 * ch, ch, time_dim)
        self.conv_out = nn.Conv2d(ch, in_channels, 3, padding=1)

    def timestep_embedding(self, t):
        half = self.time_dim // 2
        freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float32) / half)
        args = t[:, None].float() * freqs[None, :]
        return torch.cat([args.sin(), args.cos()], dim=-1)

    def forward(self, x, t):
        temb = self.time_mlp(self.timestep_embedding(t[:, 0]))
        h1 = self.down1(self.conv_in(x), temb)
        h2 = self.attn(self.down2(self.pool(h1), temb))
        u = F.interpolate(h2, size=h1.shape[-2:], mode="nearest")
        return self.conv_out(self.up(torch.cat([u, h1], dim=1), temb))


class MeanAggregationGnn(nn.Module):
    """Message passing over a fixed graph of 12 nodes (edge_index within [0, 11]) for a batch of
    node-feature sets [B, N, F]: gather the source nodes with index_select on the node dim,
    index_add the messages into their targets on the same dim, divide by the in-degree (a bincount
    with minlength=N, broadcast as [N, 1]), and classify nodes against one-hot targets."""

    def __init__(self, in_features=8, hidden=16, classes=4, num_nodes=12):
        super().__init__()
        self.num_nodes, self.classes = num_nodes, classes
        src = torch.arange(num_nodes).repeat(2)
        dst = torch.cat([(torch.arange(num_nodes) + 1) % num_nodes, (torch.arange(num_nodes) + 5) % num_nodes])
        self.register_buffer("edge_index", torch.stack([src, dst]))
        self.lin = nn.Linear(in_features, hidden)
        self.out = nn.Linear(2 * hidden, classes)

    def forward(self, x):
        h = self.lin(x)  # [B, N, hidden]
        src, dst = self.edge_index
        messages = h.index_select(1, src)  # [B, E, hidden]
        summed = torch.zeros_like(h).index_add_(1, dst, messages)
        degree = torch.bincount(dst, minlength=self.num_nodes).clamp(min=1).to(h.dtype)
        mean = summed / degree[:, None]
        logits = self.out(torch.cat([h, mean], dim=-1))  # [B, N, classes]
        labels = logits.argmax(dim=-1)
        target = F.one_hot(labels, self.classes).to(logits.dtype)
        return F.binary_cross_entropy_with_logits(logits, target)


class ClipStyleFusion(nn.Module):
    """Image and text towers projected to one width, L2-normalised with keepdim, the [B, B]
    similarity image @ text.T with a symmetric contrastive loss, and a fusion head that joins the
    pooled image [B, D1] with the mean of the text tokens [B, D2] (not the [B, T, D2] tokens)."""

    def __init__(self, vocab=30, text_width=24, vision_width=48, embed_dim=32, classes=3):
        super().__init__()
        self.visual = nn.Sequential(
            nn.Conv2d(3, vision_width, 4, stride=4), nn.GELU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(1)
        )
        self.image_projection = nn.Linear(vision_width, embed_dim, bias=False)
        self.token_embedding = nn.Embedding(vocab, text_width)
        self.text_projection = nn.Linear(text_width, embed_dim, bias=False)
        self.head = nn.Linear(vision_width + text_width, classes)

    def forward(self, image, text):
        pooled = self.visual(image)  # [B, vision_width]
        tokens = self.token_embedding(text)  # [B, T, text_width]
        text_pooled = tokens.mean(dim=1)
        image_embed = F.normalize(self.image_projection(pooled), dim=-1)
        text_embed = F.normalize(self.text_projection(text_pooled), dim=-1)
        logits = image_embed @ text_embed.t() * 10.0
        labels = torch.arange(logits.size(0))
        contrastive = (F.cross_entropy(logits, labels) + F.cross_entropy(logits.t(), labels)) / 2
        fused = self.head(torch.cat([pooled, text_pooled], dim=1))
        return contrastive + fused.logsumexp(dim=-1).mean()


class CtcRecognizer(nn.Module):
    """Per-frame scores of a recogniser as CTCLoss wants them: [T, N, C] log-probabilities over the
    classes (dim 2), input lengths of size N, and a tagger loss with the classes moved to dim 1."""

    def __init__(self, vocab=30, dim=32, classes=31):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True)
        self.fc = nn.Linear(dim, classes)
        self.ctc = nn.CTCLoss(blank=classes - 1, zero_infinity=True)

    def forward(self, frames, targets):
        h, _ = self.rnn(self.embed(frames))  # [N, T, dim]
        logits = self.fc(h)  # [N, T, C]
        log_probs = logits.log_softmax(dim=2).transpose(0, 1)  # [T, N, C]
        n, t = frames.shape
        input_lengths = torch.full((n,), t, dtype=torch.long)
        target_lengths = torch.full((n,), targets.size(1), dtype=torch.long)
        ctc = self.ctc(log_probs, targets, input_lengths, target_lengths)
        tagger = F.cross_entropy(logits[:, : targets.size(1)].transpose(1, 2), targets)
        return ctc + tagger


CLEAN = [
    dict(model="LlamaStyleBlock", inputs=("12:long",), batch=2),
    dict(model="NextTokenLoss", inputs=("12:long",), batch=2),
    dict(model="DiffusionUNet", inputs=("3x17x23", "1"), batch=2),
    dict(model="MeanAggregationGnn", inputs=("12x8",), batch=2),
    dict(model="ClipStyleFusion", inputs=("3x32x32", "7:long"), batch=3),
    dict(model="CtcRecognizer", inputs=("16:long", "5:long"), batch=2),
]
