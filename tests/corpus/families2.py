"""LLM blocks, diffusion UNets, graph and index ops, multimodal fusion, reductions and sequence
losses: rotary tables that do not fit the rotated features, heads split without a transpose,
causal masks cropped past their size, skips that lose a row to an odd size, attention over a
hard-coded H·W, GroupNorm groups, edge indices past the node count, scatters along the wrong dim,
image features of the wrong rank concatenated with text, reductions without keepdim, and losses fed
unshifted labels or probabilities taken over time."""

import math

import torch
import torch.nn.functional as F
from torch import nn

# --- LLM / transformer blocks ----------------------------------------------------------------


class PartialRotary(nn.Module):
    """labml annotated_deep_learning_paper_implementations #215: rotary embeddings on the first
    d=3 of the 4 features of each head; the cos/sin cache is built from arange(0, d, 2) (2 angles)
    taken twice, so it has 4 features and multiplies the 3 rotated ones: `The size of tensor a (3)
    must match the size of tensor b (4) at non-singleton dimension 3`. Fixed by slicing the cache
    to [..., :self.d]."""

    def __init__(self, d_model=8, heads=2, d_rope=3, base=10000, max_len=32):
        super().__init__()
        self.heads, self.d_k, self.d = heads, d_model // heads, d_rope
        self.query = nn.Linear(d_model, d_model)
        theta = 1.0 / (base ** (torch.arange(0, d_rope, 2).float() / d_rope))
        idx_theta = torch.arange(max_len).float()[:, None] * theta[None, :]
        idx_theta2 = torch.cat([idx_theta, idx_theta], dim=1)
        self.register_buffer("cos_cached", idx_theta2.cos()[:, None, None, :])
        self.register_buffer("sin_cached", idx_theta2.sin()[:, None, None, :])

    def forward(self, x):
        b, t, _ = x.shape
        x = self.query(x).transpose(0, 1).reshape(t, b, self.heads, self.d_k)  # [seq, batch, heads, d_k]
        x_rope, x_pass = x[..., : self.d], x[..., self.d :]
        d_2 = self.d // 2
        neg_half_x = torch.cat([-x_rope[..., d_2:], x_rope[..., :d_2]], dim=-1)
        x_rope = (x_rope * self.cos_cached[:t]) + (neg_half_x * self.sin_cached[:t])
        return torch.cat((x_rope, x_pass), dim=-1)


class XposRetention(nn.Module):
    """RetNet #31: xPos on a retention head of odd size (15): the scale has arange(0, 15, 2) = 8
    entries, duplicate_interleave makes sin/cos 16 wide, and `x * cos` fails: `The size of tensor
    a (15) must match the size of tensor b (16) at non-singleton dimension 2`."""

    def __init__(self, head_dim=15, scale_base=512):
        super().__init__()
        self.scale_base = scale_base
        self.q_proj = nn.Linear(head_dim, head_dim)
        self.register_buffer("scale", (torch.arange(0, head_dim, 2) + 0.4 * head_dim) / (1.4 * head_dim))

    @staticmethod
    def rotate_every_two(x):
        x1, x2 = x[:, :, ::2], x[:, :, 1::2]
        return torch.stack((-x2, x1), dim=-1).flatten(-2)

    def forward(self, x):
        q = self.q_proj(x)
        length = q.shape[1]
        scale = self.scale ** (torch.arange(0, length).to(self.scale) / self.scale_base)[:, None]
        seq_len, dim = scale.shape
        inv_freq = 1.0 / (10000 ** (torch.arange(0, dim) / dim))
        sinusoid = torch.arange(0, seq_len, dtype=torch.float)[:, None] * inv_freq[None, :]
        sin, cos = torch.sin(sinusoid), torch.cos(sinusoid)
        sin = (sin * scale).view(-1, 1).repeat(1, 2).view(seq_len, -1)  # duplicate_interleave
        cos = (cos * scale).view(-1, 1).repeat(1, 2).view(seq_len, -1)
        return (q * cos) + (self.rotate_every_two(q) * sin)


class RgbaRotary(nn.Module):
    """TransPixeler #8: the query holds the text tokens, then the RGB video tokens and as many
    alpha tokens (2 × 2700 = 5400); the rotary table covers the 2700 RGB positions only: `The size
    of tensor a (5400) must match the size of tensor b (2700) at non-singleton dimension 2`. The
    thread: repeat the image_rotary_emb for the alpha half."""

    def __init__(self, dim=16, heads=2, text_len=4, image_len=2700):
        super().__init__()
        self.heads, self.head_dim, self.text_len = heads, dim // heads, text_len
        self.to_q = nn.Linear(dim, dim)
        half = self.head_dim // 2
        freqs = torch.arange(image_len).float()[:, None] / (10000 ** (torch.arange(half).float() / half))[None, :]
        freqs = torch.cat([freqs, freqs], dim=-1)  # [2700, head_dim]
        self.register_buffer("cos", freqs.cos())
        self.register_buffer("sin", freqs.sin())

    def forward(self, hidden_states):
        b, s, _ = hidden_states.shape
        q = self.to_q(hidden_states).view(b, s, self.heads, self.head_dim).transpose(1, 2)
        image = q[:, :, self.text_len :]
        half = self.head_dim // 2
        rotated = torch.cat([-image[..., half:], image[..., :half]], dim=-1)
        image = image * self.cos + rotated * self.sin
        return torch.cat([q[:, :, : self.text_len], image], dim=2)


class AutoIntAttention(nn.Module):
    """FuxiCTR #30: the heads are split with query.view(batch_size * num_heads, -1, attention_dim)
    and no transpose, so each "head" mixes fields and heads; it runs for num_heads > 1 and computes
    the wrong attention (AutoInt, DESTINE, InterHAt). Fixed with view(b, seq, heads, d).transpose(1, 2)."""

    def __init__(self, embedding_dim=16, attention_dim=8, num_heads=2):
        super().__init__()
        self.num_heads, self.attention_dim = num_heads, attention_dim
        self.W_q = nn.Linear(embedding_dim, attention_dim * num_heads, bias=False)
        self.W_k = nn.Linear(embedding_dim, attention_dim * num_heads, bias=False)
        self.W_v = nn.Linear(embedding_dim, attention_dim * num_heads, bias=False)

    def forward(self, x):
        batch_size = x.size(0)
        query = self.W_q(x).view(batch_size * self.num_heads, -1, self.attention_dim)
        key = self.W_k(x).view(batch_size * self.num_heads, -1, self.attention_dim)
        value = self.W_v(x).view(batch_size * self.num_heads, -1, self.attention_dim)
        scores = torch.bmm(query, key.transpose(1, 2)) / self.attention_dim**0.5
        output = torch.bmm(scores.softmax(dim=-1), value)
        return output.view(batch_size, -1, self.num_heads * self.attention_dim)


class QanetSelfAttention(nn.Module):
    """QAnet-pytorch #2: the heads are stacked [n_heads, batch, l, d] and merged with
    heads.view(batch_size, l, -1), which interleaves heads and positions; with one head it is the
    same, with several it is silently wrong. Fixed with heads.permute(1, 2, 0, 3)."""

    def __init__(self, dim=16, n_heads=2, value_dim=8):
        super().__init__()
        self.n_heads = n_heads
        self.q = nn.ModuleList(nn.Linear(dim, value_dim) for _ in range(n_heads))
        self.k = nn.ModuleList(nn.Linear(dim, value_dim) for _ in range(n_heads))
        self.v = nn.ModuleList(nn.Linear(dim, value_dim) for _ in range(n_heads))
        self.out = nn.Linear(n_heads * value_dim, dim)

    def forward(self, x):
        batch_size, seq_len, _ = x.shape
        outputs = []
        for q, k, v in zip(self.q, self.k, self.v, strict=True):
            scores = q(x) @ k(x).transpose(1, 2) / math.sqrt(q.out_features)
            outputs.append(scores.softmax(-1) @ v(x))
        heads = torch.stack(outputs, dim=0)  # [n_heads, batch, l, value_dim]
        x = heads.view(batch_size, seq_len, -1)
        return self.out(x)


class NanoGptBlockMask(nn.Module):
    """nanoGPT #473: the causal mask is a registered buffer of block_size (8); on a sequence of 16
    the crop bias[:, :, :T, :T] is still 8 × 8: `The size of tensor a (8) must match the size of
    tensor b (16) at non-singleton dimension 3`. A sequence must be cropped to block_size (or the
    model built with a longer one)."""

    def __init__(self, n_embd=32, n_head=4, block_size=8):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)
        self.register_buffer("bias", torch.tril(torch.ones(block_size, block_size)).view(1, 1, block_size, block_size))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))
        y = att.softmax(dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


class ScratchSelfAttention(nn.Module):
    """Machine-Learning-Collection #143 (transformer from scratch): the attention splits
    [N, len, embed] into heads with values.reshape(N, value_len, heads, head_dim); it was given a
    2-D [N, embed] batch (no sequence dim), so value_len is the embedding size: `shape '[64, 1024,
    8, 128]' is invalid for input of size 65536` (here [2, 64, 8, 8] for 128)."""

    def __init__(self, embed_size=64, heads=8):
        super().__init__()
        self.heads, self.head_dim = heads, embed_size // heads
        self.values = nn.Linear(self.head_dim, self.head_dim, bias=False)
        self.keys = nn.Linear(self.head_dim, self.head_dim, bias=False)
        self.queries = nn.Linear(self.head_dim, self.head_dim, bias=False)
        self.fc_out = nn.Linear(heads * self.head_dim, embed_size)

    def forward(self, x):
        N = x.shape[0]
        value_len = key_len = query_len = x.shape[1]
        values = self.values(x.reshape(N, value_len, self.heads, self.head_dim))
        keys = self.keys(x.reshape(N, key_len, self.heads, self.head_dim))
        queries = self.queries(x.reshape(N, query_len, self.heads, self.head_dim))
        energy = torch.einsum("nqhd,nkhd->nhqk", queries, keys)
        attention = torch.softmax(energy / (self.heads * self.head_dim) ** 0.5, dim=3)
        out = torch.einsum("nhql,nlhd->nqhd", attention, values).reshape(N, query_len, -1)
        return self.fc_out(out)


class DoubleShiftLM(nn.Module):
    """amber-train #6: collate_fn already splits the tokens into input_ids = t[:, :-1] and labels =
    t[:, 1:], and the model's loss shifts again (logits[..., :-1], labels[..., 1:]): every logit is
    scored against the token two places ahead. Runs; trains next-next-token prediction."""

    def __init__(self, vocab=32, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.lm_head = nn.Linear(dim, vocab)

    def forward(self, token_ids):
        input_ids, labels = token_ids[:, :-1], token_ids[:, 1:]
        logits = self.lm_head(self.embed(input_ids))
        shift_logits = logits[..., :-1, :].contiguous()
        shift_labels = labels[..., 1:].contiguous()
        return F.cross_entropy(shift_logits.view(-1, logits.size(-1)), shift_labels.view(-1))


# --- Diffusion / UNet ------------------------------------------------------------------------


class OddUNet2D(nn.Module):
    """diffusers #3630: UNet2DModel(sample_size=(28, 28)) on MNIST: three stride-2 downsamplers
    take 28 → 14 → 7 → 4, the up block doubles 4 to 8 and concatenates the 7 × 7 skip: `Sizes of
    tensors must match except in dimension 1. Expected size 8 but got size 7 for tensor number 1 in
    the list`."""

    def __init__(self, in_channels=1, ch=16, time_dim=16):
        super().__init__()
        self.time_mlp = nn.Sequential(nn.Linear(1, time_dim), nn.SiLU(), nn.Linear(time_dim, ch))
        self.conv_in = nn.Conv2d(in_channels, ch, 3, padding=1)
        self.down1 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.down2 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.down3 = nn.Conv2d(ch, ch, 3, stride=2, padding=1)
        self.upsample = nn.Upsample(scale_factor=2, mode="nearest")
        self.up3 = nn.Conv2d(2 * ch, ch, 3, padding=1)
        self.up2 = nn.Conv2d(2 * ch, ch, 3, padding=1)
        self.up1 = nn.Conv2d(2 * ch, ch, 3, padding=1)
        self.conv_out = nn.Conv2d(ch, in_channels, 3, padding=1)

    def forward(self, sample, timestep):
        emb = self.time_mlp(timestep)[:, :, None, None]
        h0 = self.conv_in(sample) + emb
        h1 = self.down1(h0)
        h2 = self.down2(h1)
        h3 = self.down3(h2)
        u = self.up3(torch.cat([self.upsample(h3), h2], dim=1))
        u = self.up2(torch.cat([self.upsample(u), h1], dim=1))
        u = self.up1(torch.cat([self.upsample(u), h0], dim=1))
        return self.conv_out(u)


class FixedSizeAttention(nn.Module):
    def __init__(self, channels, size):
        super().__init__()
        self.channels, self.size = channels, size
        self.mha = nn.MultiheadAttention(channels, 4, batch_first=True)
        self.ln = nn.LayerNorm([channels])

    def forward(self, x):
        x = x.view(-1, self.channels, self.size * self.size).swapaxes(1, 2)
        x_ln = self.ln(x)
        attention_value, _ = self.mha(x_ln, x_ln, x_ln)
        attention_value = attention_value + x
        return attention_value.swapaxes(2, 1).view(-1, self.channels, self.size, self.size)


class DownWithTime(nn.Module):
    def __init__(self, in_channels, out_channels, emb_dim=32):
        super().__init__()
        self.conv = nn.Sequential(nn.MaxPool2d(2), nn.Conv2d(in_channels, out_channels, 3, padding=1), nn.GELU())
        self.emb_layer = nn.Sequential(nn.SiLU(), nn.Linear(emb_dim, out_channels))

    def forward(self, x, t):
        x = self.conv(x)
        emb = self.emb_layer(t)[:, :, None, None].repeat(1, 1, x.shape[-2], x.shape[-1])
        return x + emb


class DdpmUNetFixedAttention(nn.Module):
    """Diffusion-Models-pytorch #7: SelfAttention(128, 32) is built for 64-pixel images and
    flattens with x.view(-1, self.channels, self.size * self.size); on 128-pixel images the
    64 × 64 map becomes 4 times the batch, and the next block's `x + emb` fails (#3: `The size of
    tensor a (192) must match the size of tensor b (12) at non-singleton dimension 0`; here 8 and
    2). The maintainer: take H and W from x.shape."""

    def __init__(self, c_in=3, time_dim=32, img_size=64):
        super().__init__()
        self.time_embed = nn.Linear(1, time_dim)
        self.inc = nn.Conv2d(c_in, 16, 3, padding=1)
        self.down1 = DownWithTime(16, 32, time_dim)
        self.sa1 = FixedSizeAttention(32, img_size // 2)
        self.down2 = DownWithTime(32, 32, time_dim)
        self.sa2 = FixedSizeAttention(32, img_size // 4)

    def forward(self, x, t):
        t = self.time_embed(t)
        x1 = self.inc(x)
        x2 = self.sa1(self.down1(x1, t))
        x3 = self.sa2(self.down2(x2, t))
        return x3


class ResnetBlock(nn.Module):
    def __init__(self, channels, norm_num_groups=32):
        super().__init__()
        self.norm1 = nn.GroupNorm(norm_num_groups, channels)
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return x + self.conv1(F.silu(self.norm1(x)))


class SmallChannelUNet(nn.Module):
    """diffusers #410: UNet2DModel with block_out_channels smaller than 32 (31 in the issue's
    test) builds GroupNorm(32, 31): `num_channels must be divisible by num_groups`; the fix passed
    norm_num_groups to every block."""

    def __init__(self, in_channels=3, block_out_channels=(31, 62)):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, block_out_channels[0], 3, padding=1)
        self.blocks = nn.ModuleList(ResnetBlock(c) for c in block_out_channels)

    def forward(self, x):
        return self.blocks[0](self.conv_in(x))


class GaussianFourierProjection(nn.Module):
    def __init__(self, embedding_size=256, scale=1.0):
        super().__init__()
        self.register_buffer("W", torch.randn(embedding_size) * scale)

    def forward(self, t):
        x_proj = t * self.W[None, :] * 2 * math.pi
        return torch.cat([torch.sin(x_proj), torch.cos(x_proj)], dim=-1)


class TimestepEmbedding(nn.Module):
    def __init__(self, in_channels, time_embed_dim):
        super().__init__()
        self.linear_1 = nn.Linear(in_channels, time_embed_dim)
        self.act = nn.SiLU()
        self.linear_2 = nn.Linear(time_embed_dim, time_embed_dim)

    def forward(self, sample):
        return self.linear_2(self.act(self.linear_1(sample)))


class UNet1DFourierTime(nn.Module):
    """diffusers #12110: UNet1DModel's GaussianFourier time projection is built with a hard-coded
    embedding_size=8 (16 features after sin/cos), while the timestep MLP expects
    2 * block_out_channels[0] = 64: `mat1 and mat2 shapes cannot be multiplied (1x16 and 64x128)`.
    The issue: embedding_size should be block_out_channels[0]."""

    def __init__(self, in_channels=2, block_out_channels=(32, 32, 64)):
        super().__init__()
        self.time_proj = GaussianFourierProjection(embedding_size=8)
        time_embed_dim = block_out_channels[0] * 4
        self.time_mlp = TimestepEmbedding(2 * block_out_channels[0], time_embed_dim)
        self.conv_in = nn.Conv1d(in_channels, block_out_channels[0], 3, padding=1)
        self.time_to_channels = nn.Linear(time_embed_dim, block_out_channels[0])

    def forward(self, sample, timestep):
        temb = self.time_mlp(self.time_proj(timestep))
        return self.conv_in(sample) + self.time_to_channels(temb)[:, :, None]


# --- Graph / index ops -----------------------------------------------------------------------


class DegreeNormGcn(nn.Module):
    """pytorch_geometric #207: a graph of 803 nodes (x = [803, 1]) whose edge_index numbers nodes
    by their ids, up to 1003; GCN's degree scatter_add over row fails (`Invalid index in
    scatterAdd`; today `index 803 is out of bounds for dimension 0 with size 803`). rusty1s: every
    entry of edge_index must be in [0, 802]: drop those edges or give all 1004 nodes features."""

    def __init__(self, in_channels=1, out_channels=16, num_ids=1004, num_edges=2000):
        super().__init__()
        self.lin = nn.Linear(in_channels, out_channels)
        row = torch.arange(num_edges) % num_ids
        col = (row * 7 + 3) % num_ids
        self.register_buffer("edge_index", torch.stack([row, col]))

    def forward(self, x):
        x = self.lin(x[0])
        row, col = self.edge_index
        deg = torch.zeros(x.size(0)).scatter_add_(0, row, torch.ones(row.size(0)))
        norm = deg.clamp(min=1).pow(-0.5)
        messages = x[col] * norm[col, None]
        return torch.zeros_like(x).index_add_(0, row, messages)


class ScatterAddAlongFeatures(nn.Module):
    """pytorch_scatter #52: seven 2-feature rows summed into 3 groups by ind = [0, 0, 1, 1, 1, 2,
    2] with scatter_add(x, ind, dim=1): the index runs along the rows, so dim must be 0
    (`shape '[1, 2]' is invalid for input of size 7`; with index_add, `Number of indices (7) should
    be equal to source.size(dim): (2)`)."""

    def __init__(self):
        super().__init__()
        self.register_buffer("ind", torch.tensor([0, 0, 1, 1, 1, 2, 2]))

    def forward(self, x):
        x = x[0]
        return torch.zeros(3, x.size(1)).index_add(1, self.ind, x)


class ScatterMeanDefaultDim(nn.Module):
    """pytorch_scatter #69: scatter_mean(feats, idx, out=out) of [9, 1] features into a [441, 1]
    grid uses the default dim=-1, the feature dim: `shape '[1, 1]' is invalid for input of size 9`;
    rusty1s: scatter along dimension 0."""

    def __init__(self, cells=441):
        super().__init__()
        self.cells = cells
        self.register_buffer("idx", torch.arange(9) * 49 % cells)

    def forward(self, feats):
        feats = feats[0]
        out = torch.zeros(self.cells, feats.size(1))
        return out.index_reduce_(-1, self.idx, feats, "mean", include_self=False)


class SparseEvolutionaryLayer(nn.Module):
    """synapses #3 (SETLayer.forward): the sparse layer scatters its connection products with
    scatter_add(k, self.inds_out), whose length is max(inds_out) + 1 (18), not outdim (20), and
    `z + self.bias` fails: `The size of tensor a (18) must match the size of tensor b (20) at
    non-singleton dimension 1`. The fix passes dim_size=self.outdim."""

    def __init__(self, indim=12, outdim=20, connections=30):
        super().__init__()
        self.outdim = outdim
        self.register_buffer("inds_in", torch.arange(connections) % indim)
        self.register_buffer("inds_out", torch.arange(connections) % (outdim - 2))
        self.weight = nn.Parameter(torch.randn(connections))
        self.bias = nn.Parameter(torch.zeros(outdim))

    def forward(self, x):
        k = x[:, self.inds_in] * self.weight
        z = torch.zeros(x.size(0), int(self.inds_out.max()) + 1).index_add_(1, self.inds_out, k)
        return z + self.bias


class GatherActionValues(nn.Module):
    """pytorch #47610: the chosen action of each of 4 rows is gathered with an index built by
    .unsqueeze(0) (intended unsqueeze(1)): gather accepts the [1, 4] index on [4, 2] values and
    returns [1, 4], the first row's values picked by every row's action, instead of [4, 1]."""

    def __init__(self, features=2, actions=2):
        super().__init__()
        self.q = nn.Linear(features, actions)

    def forward(self, x):
        values = self.q(x)
        index = values.argmax(dim=1).unsqueeze(0)
        return torch.gather(values, 1, index)


class UNetDiceEvaluate(nn.Module):
    """Pytorch-UNet #367: evaluate() one-hot encodes the true mask with F.one_hot(mask_true,
    n_classes).permute(0, 3, 1, 2), but the masks were saved as RGB images, [B, H, W, 3], so
    one_hot gives 5 dims: `number of dims don't match in permute`."""

    def __init__(self, n_channels=3, n_classes=32):
        super().__init__()
        self.n_classes = n_classes
        self.net = nn.Conv2d(n_channels, n_classes, 3, padding=1)

    def forward(self, image, mask_true):
        mask_pred = self.net(image)
        mask_true = F.one_hot(mask_true, self.n_classes).permute(0, 3, 1, 2).float()
        mask_pred = F.one_hot(mask_pred.argmax(dim=1), self.n_classes).permute(0, 3, 1, 2).float()
        inter = (mask_pred * mask_true).sum(dim=(-1, -2))
        return (2 * inter / (mask_pred.sum(dim=(-1, -2)) + mask_true.sum(dim=(-1, -2)) + 1e-6)).mean()


# --- Multimodal ------------------------------------------------------------------------------


class ButdCaptioner(nn.Module):
    """mmf #224 (BUTD captioning): the top-down LSTM input is torch.cat([h2, image_feat_mean,
    embedding], dim=1); the image features were stored with an extra dim, [B, 1, 100, 2048], so
    image_features.mean(1) is 3-D: `Tensors must have same number of dimensions: got 2 and 3`
    (h2.ndim=2, image_feat_mean.ndim=3, embedding.ndim=2)."""

    def __init__(self, feat_dim=64, embed_dim=16, hidden=32, vocab=30):
        super().__init__()
        self.hidden = hidden
        self.embed = nn.Embedding(vocab, embed_dim)
        self.top_down_lstm = nn.LSTMCell(hidden + feat_dim + embed_dim, hidden)
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, image_features, caption):
        b = caption.size(0)
        h1 = c1 = h2 = torch.zeros(b, self.hidden)
        image_feat_mean = image_features.mean(1)
        embedding = self.embed(caption[:, 0])
        h1, c1 = self.top_down_lstm(torch.cat([h2, image_feat_mean, embedding], dim=1), (h1, c1))
        return self.fc(h1)


class ConcatVL(nn.Module):
    """hm_example_mmf #1 (concat_vl.py): the vision module ends in an average pool, [B, 2048, 1, 1],
    and is concatenated with the [B, D] text features: `Tensors must have same number of
    dimensions`. The merged fix squeezes the image features."""

    def __init__(self, vocab=30, text_dim=16, image_dim=32, classes=2):
        super().__init__()
        self.language_module = nn.Embedding(vocab, text_dim)
        self.vision_module = nn.Sequential(
            nn.Conv2d(3, image_dim, 3, stride=2, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1)
        )
        self.classifier = nn.Linear(text_dim + image_dim, classes)

    def forward(self, text, image):
        text_features = self.language_module(text).mean(1)
        image_features = self.vision_module(image)
        combined = torch.cat([text_features, image_features], dim=1)
        return self.classifier(combined)


class SlipZeroShot(nn.Module):
    """SLIP #4: the ViT-L image tower's output is [1, 1024] and the text embedding [1, 512]; the
    user called model.visual(image) (the trunk) instead of encode_image, which applies
    image_projection [1024, 512]; the similarity image @ text.T fails (`mat1 and mat2 shapes cannot
    be multiplied (1x1024 and 512x1)`)."""

    def __init__(self, vision_width=1024, embed_dim=512, vocab=30, text_width=64):
        super().__init__()
        self.visual = nn.Sequential(nn.Conv2d(3, 16, 4, stride=4), nn.Flatten(), nn.Linear(16 * 8 * 8, vision_width))
        self.image_projection = nn.Parameter(torch.randn(vision_width, embed_dim) * vision_width**-0.5)
        self.token_embedding = nn.Embedding(vocab, text_width)
        self.text_projection = nn.Parameter(torch.randn(text_width, embed_dim) * text_width**-0.5)

    def encode_image(self, image):
        return self.visual(image) @ self.image_projection

    def encode_text(self, text):
        return self.token_embedding(text).mean(1) @ self.text_projection

    def forward(self, image, text):
        image_embed = self.visual(image)
        text_embed = self.encode_text(text)
        image_embed = image_embed / image_embed.norm(dim=-1, keepdim=True)
        text_embed = text_embed / text_embed.norm(dim=-1, keepdim=True)
        return image_embed @ text_embed.t()


class PodaFeatureOptimization(nn.Module):
    """PODA #1: the target text embedding is computed once for batch_size = 16 and compared with
    the image features of every batch; the last batch has 15 images: `The size of tensor a (16)
    must match the size of tensor b (15) at non-singleton dimension 0` in
    torch.cosine_similarity(text_target, target_features_from_f1, dim=1)."""

    def __init__(self, feat_dim=64, embed_dim=32, batch_size=16):
        super().__init__()
        self.proj = nn.Linear(feat_dim, embed_dim)
        self.register_buffer("text_target", torch.randn(1, embed_dim).repeat(batch_size, 1))

    def forward(self, features):
        target_features_from_f1 = self.proj(features)
        return (1 - torch.cosine_similarity(self.text_target, target_features_from_f1, dim=1)).mean()


class QueryAttackVLM(nn.Module):
    """AttackVLM #12: the adversarial text feature has one row per image (batch 10), the captions
    of the perturbed images one row per query (num_query × batch = 20 × 10 = 200); their difference
    fails at dim 0 (200 against 10). The thread: repeat adv_text_feature 20 times."""

    def __init__(self, num_query=20, vocab=30, dim=32):
        super().__init__()
        self.num_query = num_query
        self.image_encoder = nn.Sequential(
            nn.Conv2d(3, 8, 3, stride=2, padding=1), nn.Flatten(), nn.Linear(8 * 4 * 4, dim)
        )
        self.text_encoder = nn.Embedding(vocab, dim)
        self.captioner = nn.Linear(dim, dim)

    def forward(self, image, target_text):
        adv_text_feature = self.text_encoder(target_text).mean(1)  # [batch, dim]
        query_noise = 0.01 * torch.randn_like(image).repeat_interleave(self.num_query, dim=0)
        perturbed = image.repeat_interleave(self.num_query, dim=0) + query_noise
        text_of_perturbed_imgs = self.captioner(self.image_encoder(perturbed))  # [num_query * batch, dim]
        coefficient = torch.sum((text_of_perturbed_imgs - adv_text_feature) * adv_text_feature, dim=-1)
        return coefficient.mean()


# --- Reductions ------------------------------------------------------------------------------


class LayerNormalizationNoKeepdim(nn.Module):
    """attention-is-all-you-need-pytorch #11: the layer norm takes mu = torch.mean(z, dim=-1) and
    sigma = torch.std(z, dim=-1) without keepdim, so z - mu lines the [B, T] statistics up with the
    [T, D] end of z: with T = 10, D = 16, `The size of tensor a (16) must match the size of tensor
    b (10) at non-singleton dimension 2` (and silently wrong when T == D). The fix: keepdim=True."""

    def __init__(self, d_hid=16, eps=1e-3):
        super().__init__()
        self.eps = eps
        self.proj = nn.Linear(d_hid, d_hid)
        self.a_2 = nn.Parameter(torch.ones(d_hid))
        self.b_2 = nn.Parameter(torch.zeros(d_hid))

    def forward(self, z):
        z = self.proj(z)
        mu = torch.mean(z, dim=-1)
        sigma = torch.std(z, dim=-1)
        ln_out = (z - mu) / (sigma + self.eps)
        return ln_out * self.a_2 + self.b_2


class BatchedNewtonSchulz(nn.Module):
    """HeavyBall #96: the batched Newton-Schulz orthogonalisation normalises a stack of K matrices
    [K, m, n] by G.norm(dim=(-2, -1)) without keepdim: the [K] norms line up with the last (n)
    axis; K = 4, n = 6 raises (`The size of tensor a (6) must match the size of tensor b (4) at
    non-singleton dimension 2`), K == n silently scales columns. The reference keeps the axes."""

    def __init__(self, steps=5, eps=1e-7):
        super().__init__()
        self.steps, self.eps = steps, eps

    def forward(self, G):
        a, b, c = (3.4445, -4.7750, 2.0315)
        X = G / G.norm(dim=(-2, -1)).clamp(min=self.eps)
        for _ in range(self.steps):
            A = X @ X.mT
            B = b * A + c * A @ A
            X = a * X + B @ X
        return X


class ComplexBatchNorm1dCopy(nn.Module):
    """complexPyTorch #16: ComplexBatchNorm1d reduces over the batch, mean = input.mean(0) ([C]),
    and subtracts mean[None, :, None, None], copied from the 2-D version: on [N, C] input that is
    a [1, C, 1, 1] against [N, C] broadcast to [1, C, N, C], silently. Corrected to
    mean[None, ...]."""

    def __init__(self, num_features=8, eps=1e-5):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(num_features))
        self.bias = nn.Parameter(torch.zeros(num_features))

    def forward(self, input):
        mean = input.mean(dim=0)
        input = input - mean[None, :, None, None]
        var = input.pow(2).mean(dim=0)
        return input / (var + self.eps).sqrt() * self.weight + self.bias


# --- Sequence losses -------------------------------------------------------------------------


class SequenceCrossEntropy(nn.Module):
    """Stack Overflow 6539086 (cross entropy for sequences): the network returns [batch, seq,
    classes] and the targets are [batch, seq]; nn.CrossEntropyLoss reads dim 1 as the classes:
    `Expected target size [2, 30], got [2, 10]`. The answer: permute to [batch, classes, seq]."""

    def __init__(self, vocab=30, dim=16, classes=30):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, dim, batch_first=True)
        self.fc = nn.Linear(dim, classes)
        self.criterion = nn.CrossEntropyLoss()

    def forward(self, tokens, targets):
        h, _ = self.rnn(self.embed(tokens))
        return self.criterion(self.fc(h), targets)


class G2pCtc(nn.Module):
    """pytorch-seq2seq #177 (CTC instead of cross entropy for g2p): the seq2seq output is
    [trg len, batch, output dim] and is normalised with F.log_softmax(output) without a dim, which
    for 3-D input picks dim 0, the time steps: CTCLoss runs on probabilities spread over time."""

    def __init__(self, vocab=30, dim=32, output_dim=31):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, dim)
        self.fc = nn.Linear(dim, output_dim)
        self.criterion = nn.CTCLoss(blank=output_dim - 1, zero_infinity=True)

    def forward(self, src, trg):
        output, _ = self.rnn(self.embed(src.t()))  # [src len, batch, dim]
        output = self.fc(output)  # [src len, batch, output dim]
        output_softmax = F.log_softmax(output)
        input_length = torch.full((src.size(0),), output.size(0), dtype=torch.long)
        target_length = torch.full((trg.size(0),), trg.size(1), dtype=torch.long)
        return self.criterion(output_softmax, trg, input_length, target_length)


class TransfoXLUnshiftedLoss(nn.Module):
    """transformers #3711: TransfoXLLMHeadModel computes the LM loss of its outputs against the
    labels directly, not shifted as the docs (and GPT-2) do, so labels = input_ids trains each
    position to predict itself; a 1-token input still returns a loss."""

    def __init__(self, vocab=32, dim=16):
        super().__init__()
        self.word_emb = nn.Embedding(vocab, dim)
        self.layer = nn.Linear(dim, dim)
        self.crit = nn.Linear(dim, vocab)

    def forward(self, input_ids):
        labels = input_ids
        hidden = torch.tanh(self.layer(self.word_emb(input_ids)))
        logprob = F.log_softmax(self.crit(hidden), dim=-1)
        return F.nll_loss(logprob.view(-1, logprob.size(-1)), labels.reshape(-1))


BUGS = [
    # LLM / transformer blocks
    dict(
        id="labml-215-rope-cache-wider-than-rotated",
        source="https://github.com/labmlai/annotated_deep_learning_paper_implementations/issues/215",
        model="PartialRotary",
        inputs=("6x8",),
        layer="mul",
        fixes=("[..., :self.d]", "[:, :, :, :self.d]", "[..., :3]", "x_rope.size(-1)", "x_rope.shape[-1]"),
    ),
    dict(
        id="retnet-31-xpos-odd-head-dim",
        source="https://github.com/Jamie-Stirling/RetNet/pull/31",
        model="XposRetention",
        inputs=("10x15",),
        layer="mul",
        fixes=("[:, :x.shape[-1]]", "[:, :q.shape[-1]]", "[..., :15]", "[:, :15]", "[..., :q.shape[-1]]", "q.size(-1)"),
    ),
    dict(
        id="transpixeler-8-rotary-not-repeated-for-alpha",
        source="https://github.com/wileewang/TransPixeler/issues/8",
        model="RgbaRotary",
        inputs=("5404x16",),
        layer="mul",
        fixes=("repeat(2, 1)", "cat([self.cos, self.cos]", "cat((self.cos, self.cos)", "re:self\\.cos\\.repeat"),
    ),
    dict(
        id="fuxictr-30-heads-split-without-transpose",
        source="https://github.com/reczoo/FuxiCTR/issues/30",
        model="AutoIntAttention",
        inputs=("10x16",),
        layer="view",
        fixes=("transpose(1, 2)", "permute(0, 2, 1, 3)"),
        kind="silent",
        batch=2,
    ),
    dict(
        id="qanet-2-heads-merged-without-permute",
        source="https://github.com/hackiey/QAnet-pytorch/issues/2",
        model="QanetSelfAttention",
        inputs=("12x16",),
        layer="view",
        fixes=("permute(1, 2, 0, 3)",),
        kind="silent",
        batch=2,
    ),
    dict(
        id="nanogpt-473-mask-shorter-than-sequence",
        source="https://github.com/karpathy/nanoGPT/issues/473",
        model="NanoGptBlockMask",
        inputs=("16x32",),
        layer="masked_fill",
        fixes=("re:--input 8x32", "block_size=16", "[:, -8:]", "[:, -self.block_size:]"),
    ),
    dict(
        id="mlcollection-143-attention-on-2d-batch",
        source="https://github.com/aladdinpersson/Machine-Learning-Collection/issues/143",
        model="ScratchSelfAttention",
        inputs=("64",),
        layer="reshape",
        fixes=("re:--input \\d+x64", "unsqueeze(1)"),
        batch=2,
    ),
    dict(
        id="amber-train-6-labels-shifted-twice",
        source="https://github.com/LLM360/amber-train/issues/6",
        model="DoubleShiftLM",
        inputs=("12:long",),
        layer="cross_entropy",
        fixes=("labels[..., :-1]", "shift_labels = labels.contiguous()", "shift_labels = labels\n"),
        kind="silent",
        batch=2,
    ),
    # Diffusion / UNet
    dict(
        id="diffusers-3630-unet2d-28-pixels",
        source="https://github.com/huggingface/diffusers/issues/3630",
        model="OddUNet2D",
        inputs=("1x28x28", "1"),
        layer="cat",
        fixes=("input:larger", "interpolate", "F.pad"),
    ),
    dict(
        id="ddpm-7-attention-fixed-hw",
        source="https://github.com/dome272/Diffusion-Models-pytorch/issues/7",
        model="DdpmUNetFixedAttention",
        inputs=("3x128x128", "1"),
        layer="view",
        fixes=("x.shape[2] * x.shape[3]", "x.shape[-2] * x.shape[-1]", "flatten(2)", "img_size=128"),
        batch=2,
    ),
    dict(
        id="diffusers-410-groupnorm-31-channels",
        source="https://github.com/huggingface/diffusers/issues/410",
        model="SmallChannelUNet",
        inputs=("3x32x32",),
        layer="nn.GroupNorm(norm_num_groups, channels)",
        fixes=("norm_num_groups=", "num_groups=31", "num_groups=1"),
        kind="construction",
    ),
    dict(
        id="diffusers-12110-fourier-time-proj-size",
        source="https://github.com/huggingface/diffusers/issues/12110",
        model="UNet1DFourierTime",
        inputs=("2x16", "1"),
        layer="time_mlp.linear_1",
        fixes=("embedding_size=32", "embedding_size=block_out_channels[0]"),
    ),
    # Graph / index ops
    dict(
        id="pyg-207-edge-index-past-node-count",
        source="https://github.com/pyg-team/pytorch_geometric/issues/207",
        model="DegreeNormGcn",
        inputs=("803x1",),
        layer="scatter_add_",
        fixes=("1004x1", "edge_index.max()", "< x.size(0)"),
    ),
    dict(
        id="torch-scatter-52-scatter-add-dim",
        source="https://github.com/rusty1s/pytorch_scatter/issues/52",
        model="ScatterAddAlongFeatures",
        inputs=("7x2",),
        layer="index_add",
        fixes=("index_add(0", "index_add(dim=0"),
    ),
    dict(
        id="torch-scatter-69-scatter-mean-default-dim",
        source="https://github.com/rusty1s/pytorch_scatter/issues/69",
        model="ScatterMeanDefaultDim",
        inputs=("9x1",),
        layer="index_reduce_",
        fixes=("index_reduce_(0", "index_reduce_(dim=0"),
    ),
    dict(
        id="synapses-3-scatter-without-dim-size",
        source="https://github.com/AlliedToasters/synapses/pull/3",
        model="SparseEvolutionaryLayer",
        inputs=("12",),
        layer="add",
        fixes=("self.outdim", "dim_size"),
        batch=2,
    ),
    dict(
        id="pytorch-47610-gather-index-unsqueeze-0",
        source="https://github.com/pytorch/pytorch/issues/47610",
        model="GatherActionValues",
        inputs=("2",),
        layer="gather",
        fixes=("unsqueeze(1)",),
        kind="silent",
        batch=4,
    ),
    dict(
        id="pytorch-unet-367-one-hot-of-rgb-mask",
        source="https://github.com/milesial/Pytorch-UNet/issues/367",
        model="UNetDiceEvaluate",
        inputs=("3x8x8", "8x8x3:long"),
        layer="permute",
        fixes=("[..., 0]", "re:--input 3x8x8 8x8:long"),
    ),
    # Multimodal
    dict(
        id="mmf-224-image-feat-mean-3d",
        source="https://github.com/facebookresearch/mmf/issues/224",
        model="ButdCaptioner",
        inputs=("1x10x64", "6:long"),
        layer="cat",
        fixes=("squeeze(1)", "mean(2)", "mean(dim=2)", "mean(dim=(1, 2))", "re:--input 10x64"),
    ),
    dict(
        id="hm-example-mmf-1-pooled-image-not-squeezed",
        source="https://github.com/apsdehal/hm_example_mmf/pull/1",
        model="ConcatVL",
        inputs=("8:long", "3x16x16"),
        layer="cat",
        fixes=("squeeze", "flatten(1)", "flatten(start_dim=1)", "mean((2, 3))", "mean(dim=(2, 3))", "mean((-2, -1))"),
    ),
    dict(
        id="slip-4-visual-trunk-without-projection",
        source="https://github.com/facebookresearch/SLIP/issues/4",
        model="SlipZeroShot",
        inputs=("3x32x32", "8:long"),
        layer="matmul",
        fixes=("image_projection", "encode_image"),
    ),
    dict(
        id="poda-1-text-target-fixed-batch",
        source="https://github.com/astra-vision/PODA/issues/1",
        model="PodaFeatureOptimization",
        inputs=("64",),
        layer="cosine_similarity",
        fixes=("text_target[:", "drop_last", "expand("),
        batch=15,
    ),
    dict(
        id="attackvlm-12-text-feature-not-repeated",
        source="https://github.com/yunqing-me/AttackVLM/issues/12",
        model="QueryAttackVLM",
        inputs=("3x8x8", "6:long"),
        layer="sub",
        fixes=("repeat_interleave(20", "repeat(20"),
        batch=10,
    ),
    # Reductions
    dict(
        id="aiayn-11-layernorm-mean-without-keepdim",
        source="https://github.com/jadore801120/attention-is-all-you-need-pytorch/pull/11",
        model="LayerNormalizationNoKeepdim",
        inputs=("10x16",),
        layer="sub",
        fixes=("keepdim=True", "mu[:, :, None]", "mu[..., None]", "mu.unsqueeze(-1)"),
    ),
    dict(
        id="heavyball-96-batched-norm-without-keepdim",
        source="https://github.com/HomebrewML/HeavyBall/issues/96",
        model="BatchedNewtonSchulz",
        inputs=("8x6",),
        layer="div",
        fixes=("keepdim=True", ")[:, None, None]", ")[..., None, None]"),
        batch=4,
    ),
    dict(
        id="complexpytorch-16-batchnorm1d-2d-broadcast",
        source="https://github.com/wavefrontshaping/complexPyTorch/issues/16",
        model="ComplexBatchNorm1dCopy",
        inputs=("8",),
        layer="sub",
        fixes=("mean[None, :]", "mean[None, ...]", "mean[None]"),
        kind="silent",
        batch=4,
    ),
    # Sequence losses
    dict(
        id="so-6539086-sequence-cross-entropy-layout",
        source="https://whosebug.com/question/6539086/How-to-compute-Cross-Entropy-Loss-for-sequences",
        model="SequenceCrossEntropy",
        inputs=("10:long", "10:long"),
        layer="criterion",
        fixes=("permute(0, 2, 1)", "transpose(1, 2)", "permute(0,2,1)"),
        batch=2,
    ),
    dict(
        id="pytorch-seq2seq-177-ctc-log-softmax-no-dim",
        source="https://github.com/bentrevett/pytorch-seq2seq/issues/177",
        model="G2pCtc",
        inputs=("12:long", "5:long"),
        layer="log_softmax",
        fixes=("dim=2", "dim=-1"),
        kind="silent",
        batch=2,
    ),
    dict(
        id="transformers-3711-lm-loss-not-shifted",
        source="https://github.com/huggingface/transformers/issues/3711",
        model="TransfoXLUnshiftedLoss",
        inputs=("8:long",),
        layer="nll_loss",
        fixes=("[..., 1:]", "[:, 1:]", "[..., :-1, :]", "[:, :-1]"),
        kind="silent",
        batch=2,
    ),
]
