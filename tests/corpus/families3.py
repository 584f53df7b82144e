"""Diffusion UNets, graph and index ops, LLM blocks, audio/video layouts, sequence losses and
silent bugs, a third round from public threads: label embeddings that broadcast the batch against
itself, 1-D and 2-D UNets whose skips lose a step to an odd length, video given frames before
channels, graphs flattened across the batch, scatter indices of the wrong rank or width, edge
lists stored [E, 2], key projections sized for the query heads, masks without a head dim, softmax
over the batch or a size-1 dim, regression targets [B] against predictions [B, 1], spectrograms
[B, T, F] into Conv1d and LSTMs, and caption scores [B, T, V] against padded targets."""

import torch
import torch.nn.functional as F
from torch import nn

# --- Diffusion UNets -------------------------------------------------------------------------


class LabelConditionedResBlock(nn.Module):
    """medfusion #29: with labels as the condition, the label embedder maps the condition [B, 1]
    through nn.Embedding to [B, 1, C] while the time embedding is [B, C]; their sum is [B, B, C]
    and the block's `emb.reshape(b, c, *((1,)*sp_dim))` fails ("the embedding has one more
    dimension (label conditioning)"): `shape '[2, 32, 1, 1]' is invalid for input of size 128`.
    The label embedding must be [B, C] (squeeze the condition's dim 1)."""

    def __init__(self, in_channels=4, channels=32, emb_dim=32, num_classes=32):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.time_embedder = nn.Sequential(nn.Linear(1, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.cond_embedder = nn.Embedding(num_classes, emb_dim)
        self.emb_proj = nn.Linear(emb_dim, channels)
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x, t, condition):
        h = self.conv_in(x)
        emb = self.time_embedder(t) + self.cond_embedder(condition)
        emb = self.emb_proj(F.silu(emb))
        b, c = h.shape[:2]
        emb = emb.reshape(b, c, 1, 1)
        return self.conv(F.silu(h + emb))


class MergeModulate(nn.Module):
    def __init__(self, channels, features):
        super().__init__()
        self.to_scale_shift = nn.Linear(features, 2 * channels)

    def forward(self, x, y, features):
        scale, shift = self.to_scale_shift(features)[:, :, None].chunk(2, dim=1)
        return (x + y) * (1 + scale) + shift


class AudioUNet1D(nn.Module):
    """audio-diffusion-pytorch #81: the 1-D UNet's skip at 512 channels has 37 steps; the level
    below downsamples by 2 to 18 (1024 channels) and upsamples back to 36, and the merge fails:
    `MergeModulate x: [64, 512, 37] y: [64, 512, 36]`, `The size of tensor a (37) must match the
    size of tensor b (36) at non-singleton dimension 2`. The length must be a multiple of the
    total downsampling (here 8 × 2 = 16: 288 or 304 samples, not 296)."""

    def __init__(self, in_channels=1, patch=8, channels=(512, 1024), features=1024):
        super().__init__()
        self.time_mlp = nn.Sequential(nn.Linear(1, features), nn.SiLU())
        self.patch_in = nn.Conv1d(in_channels, channels[0], patch, stride=patch)
        self.down = nn.Conv1d(channels[0], channels[1], 2, stride=2)
        self.mid = nn.Conv1d(channels[1], channels[1], 3, padding=1)
        self.up = nn.ConvTranspose1d(channels[1], channels[0], 2, stride=2)
        self.merge = MergeModulate(channels[0], features)
        self.patch_out = nn.ConvTranspose1d(channels[0], in_channels, patch, stride=patch)

    def forward(self, x, sigmas):
        features = self.time_mlp(sigmas)
        skip = self.patch_in(x)  # [B, 512, 37]
        h = self.mid(F.silu(self.down(skip)))  # [B, 1024, 18]
        h = self.up(h)  # [B, 512, 36]
        h = self.merge(skip, h, features)
        return self.patch_out(h)


class DocDiffSkip(nn.Module):
    """DocDiff #2: testing at the native resolution of a document image, the decoder's upsampled
    map is [1, 128, 440, 320] and the skip [1, 96, 439, 319]: `torch.cat((x, s), dim=1)` fails,
    `Sizes of tensors must match except in dimension 1. Expected size 440 but got size 439 for
    tensor number 1 in the list` (channels scaled down here). The image must be padded (or
    resized) to a multiple of the downsampling, 440 × 320."""

    def __init__(self, in_channels=3, skip_channels=12, channels=16):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, skip_channels, 3, padding=1)
        self.down = nn.Conv2d(skip_channels, channels, 3, stride=2, padding=1)
        self.mid = nn.Conv2d(channels, channels, 3, padding=1)
        self.up = nn.Upsample(scale_factor=2, mode="nearest")
        self.conv_out = nn.Conv2d(channels + skip_channels, in_channels, 3, padding=1)

    def forward(self, img):
        s = self.conv_in(img)
        x = self.up(F.silu(self.mid(self.down(s))))
        x = torch.cat((x, s), dim=1)
        return self.conv_out(x)


class UNet3DFramesFirst(nn.Module):
    """diffusers #6657: UNet3DConditionModel's docstring says sample is [batch, num_frames,
    channel, height, width], but forward reads num_frames = sample.shape[2] and folds the frames
    into the batch as [batch, channel, frames, ...]; following the docstring with a sample of
    (1, 75, 3, 240, 320) and in_channels=3, conv_in gets 75 channels: `expected input[3, 75, 240,
    320] to have 3 channels, but got 75 channels instead`. It works with channels at dim 1 and
    frames at dim 2."""

    def __init__(self, in_channels=3, block_out_channels=12):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, block_out_channels, 3, padding=1)
        self.conv_out = nn.Conv2d(block_out_channels, in_channels, 3, padding=1)

    def forward(self, sample):
        num_frames = sample.shape[2]
        batch = sample.shape[0]
        sample = sample.permute(0, 2, 1, 3, 4).reshape((batch * num_frames, -1) + sample.shape[3:])
        sample = self.conv_out(F.silu(self.conv_in(sample)))
        return sample.reshape((batch, num_frames) + sample.shape[1:]).permute(0, 2, 1, 3, 4)


class CrossAttention(nn.Module):
    def __init__(self, query_dim, context_dim, heads=8, dim_head=40):
        super().__init__()
        inner = heads * dim_head
        self.heads = heads
        self.to_q = nn.Linear(query_dim, inner, bias=False)
        self.to_k = nn.Linear(context_dim, inner, bias=False)
        self.to_v = nn.Linear(context_dim, inner, bias=False)
        self.to_out = nn.Linear(inner, query_dim)

    def forward(self, x, context):
        b = x.size(0)
        q = self.to_q(x).view(b, x.size(1), self.heads, -1).transpose(1, 2)
        k = self.to_k(context).view(b, context.size(1), self.heads, -1).transpose(1, 2)
        v = self.to_v(context).view(b, context.size(1), self.heads, -1).transpose(1, 2)
        attn = (q @ k.transpose(-2, -1) * q.size(-1) ** -0.5).softmax(dim=-1)
        return self.to_out((attn @ v).transpose(1, 2).reshape(b, x.size(1), -1))


class TextConditionedUNetBlock(nn.Module):
    """USD #1 (and PASD #57): the guidance UNet's cross-attention is built for 1024-wide text
    embeddings (context_dim=1024, an OpenCLIP text encoder) but is given the 768-wide CLIP
    embeddings of the prompt and the negative prompt, [2, 77, 768]: `mat1 and mat2 shapes cannot
    be multiplied (154x768 and 1024x320)`. yangxy: "the feature number of the text embedding is
    inconsistent with that of the unet ... a mismatched text encoder or unet"."""

    def __init__(self, in_channels=4, model_channels=320, context_dim=1024):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, model_channels, 3, padding=1)
        self.norm = nn.GroupNorm(32, model_channels)
        self.attn2 = CrossAttention(model_channels, context_dim)
        self.conv_out = nn.Conv2d(model_channels, in_channels, 3, padding=1)

    def forward(self, latents, encoder_hidden_states):
        h = self.conv_in(latents)
        b, c, height, width = h.shape
        tokens = self.norm(h).flatten(2).transpose(1, 2)  # [B, H*W, C]
        tokens = tokens + self.attn2(tokens, encoder_hidden_states)
        return self.conv_out(tokens.transpose(1, 2).reshape(b, c, height, width))


class PositionalEncoding(nn.Module):
    def __init__(self, dim=32, max_period=10000):
        super().__init__()
        self.register_buffer(
            "inv_freq", torch.exp(-torch.arange(dim) // 2 * 2 / dim * torch.log(torch.tensor(float(max_period))))
        )

    def forward(self, t):
        embeddings = t * self.inv_freq[None, :]  # [B, dim]
        # Sin/Cos transformation for even, odd indices
        embeddings[::2] = embeddings[::2].sin()
        embeddings[1::2] = embeddings[1::2].cos()
        return embeddings


class DiffusionTimeEncodingRows(nn.Module):
    """Diffusion_models_from_scratch #10: the timestep encoding applies sin to the even and cos to
    the odd features with `embeddings[::2] = embeddings[::2].sin()` and `embeddings[1::2] =
    embeddings[1::2].cos()` on embeddings of shape [batch, dim]: the slices pick rows, the batch.
    The author: "Looks like I got the indexing wrong here, encoding the batch dimension as the
    'time' dimension"; it should be embeddings[:, ::2] and embeddings[:, 1::2]."""

    def __init__(self, in_channels=3, channels=32, dim=32):
        super().__init__()
        self.pos_enc = PositionalEncoding(dim)
        self.time_mlp = nn.Sequential(nn.Linear(dim, channels), nn.SiLU(), nn.Linear(channels, channels))
        self.conv1 = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, in_channels, 3, padding=1)

    def forward(self, x, t):
        h = F.silu(self.conv1(x))
        h = h + self.time_mlp(self.pos_enc(t))[:, :, None, None]
        return self.conv2(h)


# --- Graph / index ops -----------------------------------------------------------------------


class BatchedGraphFc(nn.Module):
    """pytorch_geometric #1690: a GCN over graphs of 24 nodes ends in `data.x =
    self.fc1(data.x.view(-1))`, a layer built for one graph's 24 nodes; with batch size > 1 the
    batch holds 2 graphs of 24 nodes, x is [48, features], and view(-1) flattens both graphs into
    one row: `size mismatch` in F.linear (here, with 16 features, `mat1 and mat2 shapes cannot be
    multiplied (1x768 and 384x1)`). The readout must keep the graphs apart: x.view(num_graphs,
    -1) (or to_dense_batch)."""

    def __init__(self, num_nodes=24, in_features=1, hidden=16, num_graphs=2):
        super().__init__()
        self.lin = nn.Linear(in_features, hidden)
        ring = torch.arange(num_nodes)
        src = torch.cat([ring + g * num_nodes for g in range(num_graphs)])
        dst = torch.cat([(ring + 1) % num_nodes + g * num_nodes for g in range(num_graphs)])
        self.register_buffer("edge_index", torch.stack([torch.cat([src, dst]), torch.cat([dst, src])]))
        self.fc1 = nn.Linear(num_nodes * hidden, 1)

    def forward(self, x):
        x = self.lin(x[0])  # [48, 16]: the batch's two graphs, node after node
        row, col = self.edge_index
        x = F.relu(x + torch.zeros_like(x).index_add_(0, row, x[col]))
        return self.fc1(x.view(-1))


class BucketScatterMean(nn.Module):
    """pytorch_scatter #228: n = 100 points with an RGB color each, averaged onto a 5 × 5 grid;
    the x and y bucket indices are stacked into a [2, 100] index and scatter_mean(colors,
    xy_bucket_indices, target) fails broadcasting it to the colors: `The expanded size of the
    tensor (3) must match the existing size (100) at non-singleton dimension 1. Target sizes:
    [100, 3]. Tensor sizes: [2, 100]`. A scatter takes one index per row: the cell x * 5 + y,
    scattered along dim 0 into a [25, 3] target."""

    def __init__(self, grid=5, extent=30):
        super().__init__()
        self.grid = grid
        self.register_buffer("steps", torch.linspace(0, extent, grid + 1))

    def forward(self, colors, points):
        colors, points = colors[0], points[0].float().T.contiguous()
        x_bucket = (torch.bucketize(points[0], self.steps) - 1).clamp(0, self.grid - 1)
        y_bucket = (torch.bucketize(points[1], self.steps) - 1).clamp(0, self.grid - 1)
        xy_bucket_indices = torch.stack([x_bucket, y_bucket])
        index = xy_bucket_indices.expand(colors.size())  # torch_scatter's broadcast of the index
        target = torch.zeros(self.grid, self.grid, colors.size(1))
        return target.scatter_reduce(1, index, colors, "mean", include_self=False)


class VertexOffsetScatter(nn.Module):
    """pytorch #27614: offsets [8, 626304, 3] are added onto vertices [8, 105238, 3] with
    src.scatter_add(1, ind, ofs) and ind of shape [8, 626304, 1]: the forward accepts the
    narrower index and adds only the first coordinate of each offset (the backward then fails,
    `Expected tensor [8, 626304, 1] ... to have the same size apart from dimension 1`);
    `ind.expand(-1, -1, 3)` is the index that scatters all three. Here 600 offsets onto 100
    vertices."""

    def __init__(self, vertices=100, offsets=600):
        super().__init__()
        self.vertices = nn.Parameter(torch.zeros(1, vertices, 3))
        self.register_buffer("ind", (torch.arange(offsets) * 7 % vertices)[None, :, None])

    def forward(self, ofs):
        src = self.vertices.expand(ofs.size(0), -1, -1)
        ind = self.ind.expand(ofs.size(0), -1, -1)
        return src.scatter_add(1, ind, ofs)


class SagPoolNeighbourMax(nn.Module):
    """pytorch_geometric #1370 (SAGPool with a neighbourhood max): x is [4021, 128] and
    edge_index [2, 11652]; x_neig_max = scatter(x_neig, edge_index[0], dim=0, reduce='max') comes
    out [4014, 128], one row per index up to edge_index[0].max(), since the last nodes have no
    outgoing edge, and the next op that pairs it with x fails on 4021 vs 4014 (here a cat:
    `Expected size 4021 but got size 4014`). The scatter needs dim_size=x.size(0)."""

    def __init__(self, channels=128, num_nodes=4021, num_edges=11652, last_source=4013):
        super().__init__()
        source = torch.arange(num_edges) % (last_source + 1)
        target = (source * 7 + 1) % num_nodes
        self.register_buffer("edge_index", torch.stack([source, target]))
        self.score_layer = nn.Linear(2 * channels, 1)

    def forward(self, x):
        x = x[0]
        xi, xj = x[self.edge_index[0]], x[self.edge_index[1]]
        x_neig = xi - xj
        index = self.edge_index[0][:, None].expand_as(x_neig)
        out = torch.zeros(int(self.edge_index[0].max()) + 1, x.size(1))  # torch_scatter without dim_size
        x_neig_max = out.scatter_reduce(0, index, x_neig, "amax", include_self=False)
        score = self.score_layer(torch.cat([x, x_neig_max], dim=1))
        return x * torch.tanh(score)


class EdgeListGcn(nn.Module):
    """Graph-Learning-Benchmarks/gli #72: cora.ipynb builds `edge = torch.stack(graph.edges())
    .numpy().T`, shape (10556, 2), where the format (and the GCN reading it) wants (2, 10556).
    row, col = edge[0], edge[1] are then the two ends of the first edge: the GCN runs and
    aggregates two messages over a graph of 2708 nodes. The edge list must be transposed."""

    def __init__(self, in_features=1433, hidden=16, num_nodes=2708, num_edges=10556):
        super().__init__()
        self.lin = nn.Linear(in_features, hidden)
        src = torch.arange(num_edges) % num_nodes
        dst = (src * 13 + 5) % num_nodes
        self.register_buffer("edge_index", torch.stack([src, dst]).T)  # (10556, 2)

    def forward(self, x):
        h = self.lin(x)  # [B, N, hidden]
        row, col = self.edge_index[0], self.edge_index[1]
        deg = torch.zeros(h.size(1)).index_add_(0, row, torch.ones(row.size(0))).clamp(min=1)
        out = torch.zeros_like(h).index_add_(1, row, h.index_select(1, col))
        return F.relu(h + out / deg[:, None])


# --- LLM / transformer blocks ----------------------------------------------------------------


class BasedGqa(nn.Module):
    """zoology #20: Based(d_model=512, l_max=1024, num_heads=8, num_key_value_heads=4,
    feature_dim=16); the key projection is sized feature_dim * num_heads but split into the kv
    heads: `k.view(b, seq_len, self.num_key_value_heads, self.feature_dim)`, `shape '[1, 1024, 4, 16]'
    is invalid for input of size 131072`. With grouped kv heads the projection is feature_dim *
    num_key_value_heads wide."""

    def __init__(self, d_model=512, num_heads=8, num_key_value_heads=4, feature_dim=16):
        super().__init__()
        self.num_heads, self.num_key_value_heads = num_heads, num_key_value_heads
        self.feature_dim, self.head_dim = feature_dim, d_model // num_heads
        self.proj_q = nn.Linear(d_model, feature_dim * num_heads, bias=False)
        self.proj_k = nn.Linear(d_model, feature_dim * num_heads, bias=False)
        self.proj_v = nn.Linear(d_model, num_key_value_heads * self.head_dim, bias=False)
        self.out_proj = nn.Linear(num_heads * self.head_dim, d_model, bias=False)

    def forward(self, hidden_states):
        b, seq_len, _ = hidden_states.size()
        q = self.proj_q(hidden_states).view(b, seq_len, self.num_heads, self.feature_dim).transpose(1, 2)
        k = self.proj_k(hidden_states).view(b, seq_len, self.num_key_value_heads, self.feature_dim).transpose(1, 2)
        v = self.proj_v(hidden_states).view(b, seq_len, self.num_key_value_heads, self.head_dim).transpose(1, 2)
        groups = self.num_heads // self.num_key_value_heads
        k, v = k.repeat_interleave(groups, dim=1), v.repeat_interleave(groups, dim=1)
        q, k = F.elu(q) + 1, F.elu(k) + 1
        kv = torch.einsum("bhld,bhle->bhde", k, v)
        y = torch.einsum("bhld,bhde->bhle", q, kv)
        return self.out_proj(y.transpose(1, 2).reshape(b, seq_len, -1))


class MaskWithoutHeadDim(nn.Module):
    """hyunwoongko/transformer #32: q, k, v are [batch, head, seq_len, d] so the scores are
    [batch, head, seq_len, seq_len], but the mask is [batch, seq_len, seq_len], without the head
    dim; masked_fill broadcasts it against [head, seq_len, seq_len] and fails when batch != heads
    (here `The size of tensor a (2) must match the size of tensor b (8) at non-singleton dimension 1`),
    and masks across the wrong axis when they are equal. The mask needs unsqueeze(1)."""

    def __init__(self, vocab=32, d_model=64, n_head=8):
        super().__init__()
        self.n_head, self.d_head = n_head, d_model // n_head
        self.emb = nn.Embedding(vocab, d_model)
        self.w_q = nn.Linear(d_model, d_model)
        self.w_k = nn.Linear(d_model, d_model)
        self.w_v = nn.Linear(d_model, d_model)
        self.w_concat = nn.Linear(d_model, d_model)

    def split(self, t):
        b, length, _ = t.size()
        return t.view(b, length, self.n_head, self.d_head).transpose(1, 2)

    def forward(self, tokens):
        b, length = tokens.shape
        mask = (tokens != 0).unsqueeze(-2).expand(-1, length, -1)  # [batch, seq_len, seq_len]
        x = self.emb(tokens)
        q, k, v = self.split(self.w_q(x)), self.split(self.w_k(x)), self.split(self.w_v(x))
        score = q @ k.transpose(2, 3) / self.d_head**0.5
        score = score.masked_fill(mask == 0, -10000)
        out = score.softmax(dim=-1) @ v
        return self.w_concat(out.transpose(1, 2).reshape(b, length, -1))


class DotAttentionSoftmaxDim0(nn.Module):
    """PyTorch-NLP #2: nn.Attention(3, attention_type='dot') on a query [1, 1, 3] and a context
    [1, 2, 3] always returns weights of 1: the scores are reshaped to [batch * output_len,
    query_len] and normalised with nn.Softmax(dim=0), over the batch·output rows instead of the
    context positions. Fixed with nn.Softmax(dim=-1) (weights 0.1426, 0.8574)."""

    def __init__(self, dimensions=3):
        super().__init__()
        self.linear_out = nn.Linear(dimensions * 2, dimensions, bias=False)
        self.softmax = nn.Softmax(dim=0)

    def forward(self, query, context):
        batch_size, output_len, dimensions = query.size()
        query_len = context.size(1)
        attention_scores = torch.bmm(query, context.transpose(1, 2).contiguous())
        attention_scores = attention_scores.view(batch_size * output_len, query_len)
        attention_weights = self.softmax(attention_scores).view(batch_size, output_len, query_len)
        mix = torch.bmm(attention_weights, context)
        combined = torch.cat((mix, query), dim=2).view(batch_size * output_len, 2 * dimensions)
        return torch.tanh(self.linear_out(combined)).view(batch_size, output_len, dimensions)


class SoftMoeDispatch(nn.Module):
    """soft-mixture-of-experts #1: the dispatch weights are a softmax over the tokens, dim 0 in
    the paper's unbatched notation; the implementation's logits are [batch, tokens, experts,
    slots] and it kept softmax(dim=0), normalising over the batch. Fixed with dim=1."""

    def __init__(self, dim=32, num_experts=4, slots_per_expert=2):
        super().__init__()
        self.phi = nn.Parameter(torch.randn(dim, num_experts, slots_per_expert) / dim**0.5)
        self.experts = nn.ModuleList(nn.Linear(dim, dim) for _ in range(num_experts))

    def forward(self, x):
        logits = torch.einsum("bmd,dnp->bmnp", x, self.phi)
        dispatch_weights = logits.softmax(dim=0)
        combine_weights = logits.flatten(start_dim=2).softmax(dim=-1)
        slots = torch.einsum("bmd,bmnp->bnpd", x, dispatch_weights)
        outs = torch.stack([expert(slots[:, i]) for i, expert in enumerate(self.experts)], dim=1)
        return torch.einsum("bkd,bmk->bmd", outs.flatten(1, 2), combine_weights)


class GreedyGenerate(nn.Module):
    """magma #43: with temperature 0 the sampler takes next_token = argmax over the vocabulary,
    shape [8], and appends it with `out = torch.cat((out, next_token), dim=-1)` to out [8, T]:
    `RuntimeError: Tensors must have same number of dimensions: got 2 and 1`; the expected token
    is [[257], [262], ...], [8, 1]. Fixed by reshaping the token to a column."""

    def __init__(self, vocab=32, dim=16, steps=3):
        super().__init__()
        self.steps = steps
        self.embed = nn.Embedding(vocab, dim)
        self.lm_head = nn.Linear(dim, vocab)

    def forward(self, input_ids):
        out = input_ids
        for _ in range(self.steps):
            logits = self.lm_head(torch.tanh(self.embed(out)))
            next_token = logits[:, -1, :].argmax(dim=-1)
            out = torch.cat((out, next_token), dim=-1)
        return out


class ElectraTemperatureSampling(nn.Module):
    """electra_pytorch #14: temperature_sampling draws the generator's replacement tokens with
    `pred_ids = probs.cpu().multinomial(probs.size()[1], replacement=False)` on probs of shape
    [32, 128, 21128]; multinomial takes 1 or 2 dims (`prob_dist must be 1 or 2 dim`). One token
    per position: multinomial over probs.view(-1, vocab), then back to [batch, seq]. Here a
    vocabulary of 64."""

    def __init__(self, vocab=64, dim=16, temperature=1.0):
        super().__init__()
        self.temperature = temperature
        self.embed = nn.Embedding(vocab, dim)
        self.generator_head = nn.Linear(dim, vocab)

    def forward(self, input_ids):
        logits = self.generator_head(torch.tanh(self.embed(input_ids)))
        probs = torch.softmax(logits / self.temperature, dim=-1)
        pred_ids = probs.multinomial(probs.size()[1], replacement=False)
        return pred_ids


# --- Silent: normalisation and broadcasting --------------------------------------------------


class LinearRegressionMse(nn.Module):
    """pytorch #16045: a linear regression, yhat = nn.Linear(2, 1)(x) of shape [100, 1] against y
    of shape [100], with nn.MSELoss: the loss broadcasts to [100, 100], runs, and the estimates
    never approach the generating weights (10 + 9 x0 - 2 x1). Fixed by y.reshape(sample_size, 1).
    Each row here holds the two features and the target."""

    def __init__(self):
        super().__init__()
        self.model = nn.Linear(2, 1)
        self.loss_func = nn.MSELoss()

    def forward(self, data):
        x, y = data[:, :2], data[:, 2]
        yhat = self.model(x)
        return self.loss_func(yhat, y)


class SKAttention(nn.Module):
    """External-Attention-pytorch #18: in SKAttention the branch weights are stacked to [k, bs,
    channel, 1, 1] and normalised with nn.Softmax(dim=1), over the batch; the selection is over
    the k kernels, dim 0. The author: "对的，确实写错了" and changed it to dim=0."""

    def __init__(self, channel=32, kernels=(1, 3, 5, 7), reduction=4, group=1, L=8):
        super().__init__()
        self.d = max(L, channel // reduction)
        self.convs = nn.ModuleList(
            nn.Sequential(
                nn.Conv2d(channel, channel, k, padding=k // 2, groups=group), nn.BatchNorm2d(channel), nn.ReLU()
            )
            for k in kernels
        )
        self.fc = nn.Linear(channel, self.d)
        self.fcs = nn.ModuleList(nn.Linear(self.d, channel) for _ in kernels)
        self.softmax = nn.Softmax(dim=1)

    def forward(self, x):
        bs, c, _, _ = x.size()
        feats = torch.stack([conv(x) for conv in self.convs], 0)  # k, bs, channel, h, w
        U = feats.sum(0)
        Z = self.fc(U.mean(-1).mean(-1))
        weights = torch.stack([fc(Z).view(bs, c, 1, 1) for fc in self.fcs], 0)  # k, bs, channel, 1, 1
        attention_weights = self.softmax(weights)
        return (attention_weights * feats).sum(0)


class KeqaAttentionPool(nn.Module):
    """KEQA_WSDM19 #2: the attention weights are F.softmax(self.attn(torch.cat((x, outputs), 1)),
    dim=1) on a tensor of size (seq_len*batch_size, 1): a softmax over a dim of size 1, so every
    weight is 1.0. The author: "It should be ... dim=0"."""

    def __init__(self, vocab=32, dim=16, hidden=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, hidden)
        self.attn = nn.Linear(dim + hidden, 1)

    def forward(self, tokens):
        x = self.embed(tokens.t())  # [seq_len, batch, dim]
        outputs, _ = self.rnn(x)
        seq_len, batch_size = x.shape[:2]
        x, outputs = x.reshape(seq_len * batch_size, -1), outputs.reshape(seq_len * batch_size, -1)
        attn_weights = F.softmax(self.attn(torch.cat((x, outputs), 1)), dim=1)
        return (attn_weights * outputs).view(seq_len, batch_size, -1).sum(0)


# --- Audio / video ---------------------------------------------------------------------------


class UnivNetFromMixerMel(nn.Module):
    """NVIDIA NeMo #5181: fine-tuning UnivNet on MixerTTS's spectrograms, saved as [1, 258, 80]
    (batch, time, mel channels); the vocoder expects (batch, dimension, time), so its first
    Conv1d(80, ...) gets 258 channels (`expected input[1, 258, 80] to have 80 channels, but got
    258 channels instead`). "Transpose the generated mel spectrogram before saving it" fixed it."""

    def __init__(self, n_mels=80, channels=32):
        super().__init__()
        self.conv_pre = nn.Conv1d(n_mels, channels, 7, padding=3)
        self.up = nn.ConvTranspose1d(channels, channels // 2, 8, stride=4, padding=2)
        self.conv_post = nn.Conv1d(channels // 2, 1, 7, padding=3)

    def forward(self, mel):
        x = F.leaky_relu(self.conv_pre(mel), 0.2)
        x = F.leaky_relu(self.up(x), 0.2)
        return torch.tanh(self.conv_post(x))


class MaskEstimatorLstm(nn.Module):
    """chime4-nn-mask #2: the mask estimator's input is a batch of spectrograms [batch, frames,
    257 bins], but its LSTM was built without batch_first=True, so it reads dim 0 as time and
    runs across the utterances of the batch. The author: "seems I missed 'batch_first=True' in
    cell's parameter list"."""

    def __init__(self, num_bins=257, hidden=64):
        super().__init__()
        self.lstm = nn.LSTM(num_bins, hidden, num_layers=1)
        self.linear = nn.Linear(hidden, num_bins)

    def forward(self, x):
        x, _ = self.lstm(x)
        return torch.sigmoid(self.linear(x))


# --- Sequence losses -------------------------------------------------------------------------


class CaptionDecoderLoss(nn.Module):
    """a-PyTorch-Tutorial-to-Image-Captioning #195: `RuntimeError: Expected target size [32,
    9490], got [32, 51]` from criterion(scores, targets): scores are [32, 16, 9490] (decoded up
    to the batch's longest caption) and targets [32, 51] (caps[:, 1:], padded to 52). The
    tutorial packs both with pack_padded_sequence(..., decode_lengths, batch_first=True).data
    before the loss. Here 8 decode steps of captions padded to 12."""

    def __init__(self, vocab_size=30, embed_dim=16, decoder_dim=16, encoder_dim=16, max_decode=8):
        super().__init__()
        self.max_decode = max_decode
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.init_h = nn.Linear(encoder_dim, decoder_dim)
        self.decode_step = nn.LSTMCell(embed_dim + encoder_dim, decoder_dim)
        self.fc = nn.Linear(decoder_dim, vocab_size)
        self.criterion = nn.CrossEntropyLoss()

    def forward(self, encoder_out, caps):
        mean_encoder_out = encoder_out.mean(dim=1)
        h = c = torch.tanh(self.init_h(mean_encoder_out))
        embeddings = self.embedding(caps)
        scores = []
        for t in range(self.max_decode):
            h, c = self.decode_step(torch.cat([embeddings[:, t], mean_encoder_out], dim=1), (h, c))
            scores.append(self.fc(h))
        scores = torch.stack(scores, dim=1)  # [batch, decode steps, vocab]
        targets = caps[:, 1:]  # [batch, padded length - 1]
        return self.criterion(scores, targets)


class LlamaTextLoss(nn.Module):
    """meta-llama/llama #915: the loss of an input text under the model, with the same input as
    labels, fails: `ValueError: Expected input batch_size (15) to match target batch_size (1)`:
    the logits are flattened to [15, vocab] while the labels stay [1, 15]. Both must be
    flattened (labels.view(-1)) (and, for a next-token loss, shifted)."""

    def __init__(self, vocab=32, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.layer = nn.Linear(dim, dim)
        self.lm_head = nn.Linear(dim, vocab)

    def forward(self, input_ids):
        labels = input_ids
        logits = self.lm_head(torch.tanh(self.layer(self.embed(input_ids))))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), labels)


BUGS = [
    # Diffusion
    dict(
        id="medfusion-29-label-embedding-extra-dim",
        source="https://github.com/mueller-franzes/medfusion/issues/29",
        model="LabelConditionedResBlock",
        inputs=("4x8x8", "1", "1:long"),
        layer="reshape",
        fixes=("squeeze(1)", "squeeze(-2)", "condition[:, 0]", "condition.view(-1)", "flatten(1)", "[:, 0]"),
        batch=2,
    ),
    dict(
        id="audio-diffusion-81-odd-length-skip",
        source="https://github.com/archinetai/audio-diffusion-pytorch/issues/81",
        model="AudioUNet1D",
        inputs=("1x296", "1"),
        layer="merge",
        fixes=("re:--input 1x(288|304|320) ", "F.pad", "interpolate("),
    ),
    dict(
        id="docdiff-2-native-resolution-skip",
        source="https://github.com/Royalvice/DocDiff/issues/2",
        model="DocDiffSkip",
        inputs=("3x439x319",),
        layer="cat",
        fixes=("re:--input 3x(440|448)x(320|328)", "F.pad", "interpolate(", "size=s.shape"),
    ),
    dict(
        id="diffusers-6657-unet3d-frames-channels-swapped",
        source="https://github.com/huggingface/diffusers/issues/6657",
        model="UNet3DFramesFirst",
        inputs=("75x3x240x320",),
        layer="conv_in",
        fixes=("re:--input 3x75x240x320", "sample.transpose(1, 2)", "sample.transpose(1,2)"),
    ),
    dict(
        id="usd-1-text-embedding-width-vs-cross-attention",
        source="https://github.com/YoujiaZhang/USD/issues/1",
        model="TextConditionedUNetBlock",
        inputs=("4x8x8", "77x768"),
        layer="attn2.to_k",
        fixes=("context_dim=768", "cross_attention_dim=768", "re:--input \\S+ 77x1024"),
        batch=2,
    ),
    dict(
        id="diffusion-from-scratch-10-sin-cos-over-batch-rows",
        source="https://github.com/gmongaras/Diffusion_models_from_scratch/issues/10",
        model="DiffusionTimeEncodingRows",
        inputs=("3x8x8", "1"),
        layer="pos_enc",
        fixes=("[:, ::2]", "[:, 1::2]", "[..., ::2]", "[..., 1::2]"),
        kind="silent",
        batch=4,
    ),
    # Graph / index ops
    dict(
        id="pyg-1690-view-flattens-the-graph-batch",
        source="https://github.com/pyg-team/pytorch_geometric/issues/1690",
        model="BatchedGraphFc",
        inputs=("48x1",),
        layer="fc1",
        fixes=("view(2, -1)", "view(-1, 384)", "view(-1, 24", "num_graphs", "to_dense_batch", "reshape(2, -1)"),
    ),
    dict(
        id="torch-scatter-228-stacked-2d-index",
        source="https://github.com/rusty1s/pytorch_scatter/issues/228",
        model="BucketScatterMean",
        inputs=("100x3", "100x2:long"),
        layer="expand",
        fixes=("*5+", "*self.grid+", "x_bucket*self.grid", "x_bucket*5"),
    ),
    dict(
        id="pytorch-27614-scatter-add-index-one-column",
        source="https://github.com/pytorch/pytorch/issues/27614",
        model="VertexOffsetScatter",
        inputs=("600x3",),
        layer="scatter_add",
        fixes=("expand(-1, -1, 3)", "expand(ofs.size(0), -1, 3)", "expand_as(ofs)", "expand(ofs.shape)"),
        kind="silent",
        batch=8,
    ),
    dict(
        id="pyg-1370-scatter-max-without-dim-size",
        source="https://github.com/pyg-team/pytorch_geometric/issues/1370",
        model="SagPoolNeighbourMax",
        inputs=("4021x128",),
        layer="cat",
        fixes=("dim_size", "zeros(x.size(0)", "zeros(x.shape[0]", "zeros(4021"),
    ),
    dict(
        id="gli-72-edge-list-e-by-2",
        source="https://github.com/Graph-Learning-Benchmarks/gli/issues/72",
        model="EdgeListGcn",
        inputs=("2708x1433",),
        layer="index_add_",
        fixes=("edge_index.t()", "edge_index.T", "edge_index[:, 0]", "transpose(0, 1)", ".T)", "permute(1, 0)"),
        kind="silent",
    ),
    # LLM / transformer blocks
    dict(
        id="zoology-20-gqa-key-projection-width",
        source="https://github.com/HazyResearch/zoology/issues/20",
        model="BasedGqa",
        inputs=("1024x512",),
        layer="view",
        fixes=("feature_dim * num_key_value_heads", "num_key_value_heads * feature_dim", "re:proj_k.*Linear\\(.*64"),
    ),
    dict(
        id="hyunwoongko-transformer-32-mask-without-head-dim",
        source="https://github.com/hyunwoongko/transformer/issues/32",
        model="MaskWithoutHeadDim",
        inputs=("10:long",),
        layer="masked_fill",
        fixes=("mask.unsqueeze(1)", "mask[:, None]", "mask[:,None]"),
        batch=2,
    ),
    dict(
        id="pytorch-nlp-2-attention-softmax-dim-0",
        source="https://github.com/PetrochukM/PyTorch-NLP/issues/2",
        model="DotAttentionSoftmaxDim0",
        inputs=("1x3", "2x3"),
        layer="softmax",
        fixes=("dim=-1", "Softmax(dim=1)", "softmax(dim=1)"),
        kind="silent",
    ),
    dict(
        id="soft-moe-1-dispatch-softmax-over-batch",
        source="https://github.com/fkodom/soft-mixture-of-experts/pull/1",
        model="SoftMoeDispatch",
        inputs=("16x32",),
        layer="softmax",
        fixes=("softmax(dim=1)", "softmax(1)"),
        kind="silent",
        batch=2,
    ),
    dict(
        id="magma-43-greedy-token-cat-rank",
        source="https://github.com/Aleph-Alpha-Research/magma/pull/43",
        model="GreedyGenerate",
        inputs=("5:long",),
        layer="cat",
        fixes=("unsqueeze(-1)", "unsqueeze(1)", "[:, None]", "keepdim=True", "view(-1, 1)", "reshape(-1, 1)"),
        batch=8,
    ),
    dict(
        id="electra-pytorch-14-multinomial-on-3d-probs",
        source="https://github.com/lonePatient/electra_pytorch/issues/14",
        model="ElectraTemperatureSampling",
        inputs=("16:long",),
        layer="multinomial",
        fixes=("view(-1, ", "reshape(-1, ", "flatten(0, 1)", "flatten(end_dim=1)", "flatten(0, -2)"),
        batch=2,
    ),
    # Silent: normalisation and broadcasting
    dict(
        id="pytorch-16045-mse-n-by-1-against-n",
        source="https://github.com/pytorch/pytorch/issues/16045",
        model="LinearRegressionMse",
        inputs=("3",),
        layer="loss_func",
        fixes=(
            "reshape(-1, 1)",
            "view(-1, 1)",
            "unsqueeze(1)",
            "unsqueeze(-1)",
            "squeeze(1)",
            "squeeze(-1)",
            "data[:, 2:]",
            "data[:, 2:3]",
            "view_as(yhat)",
            "reshape_as(yhat)",
        ),
        kind="silent",
        batch=100,
    ),
    dict(
        id="external-attention-18-sk-softmax-over-batch",
        source="https://github.com/xmu-xiaoma666/External-Attention-pytorch/issues/18",
        model="SKAttention",
        inputs=("32x8x8",),
        layer="softmax",
        fixes=("Softmax(dim=0)", "softmax(dim=0)", "Softmax(0)"),
        kind="silent",
        batch=2,
    ),
    dict(
        id="keqa-2-softmax-over-size-1-dim",
        source="https://github.com/DEEP-PolyU/KEQA_WSDM19/issues/2",
        model="KeqaAttentionPool",
        inputs=("7:long",),
        layer="softmax",
        fixes=("dim=0", "softmax(0)"),
        kind="silent",
        batch=2,
    ),
    # Audio / video
    dict(
        id="nemo-5181-mel-time-first-into-vocoder",
        source="https://github.com/NVIDIA-NeMo/Speech/issues/5181",
        model="UnivNetFromMixerMel",
        inputs=("258x80",),
        layer="conv_pre",
        fixes=("transpose(1, 2)", "transpose(1,2)", "permute(0, 2, 1)", "re:--input 80x258"),
    ),
    dict(
        id="chime4-nn-mask-2-lstm-without-batch-first",
        source="https://github.com/funcwj/chime4-nn-mask/issues/2",
        model="MaskEstimatorLstm",
        inputs=("50x257",),
        layer="lstm",
        fixes=("batch_first=True",),
        kind="silent",
        batch=4,
    ),
    # Sequence losses
    dict(
        id="image-captioning-195-scores-vs-padded-targets",
        source="https://github.com/sgrvinod/a-PyTorch-Tutorial-to-Image-Captioning/issues/195",
        model="CaptionDecoderLoss",
        inputs=("6x16", "12:long"),
        layer="criterion",
        fixes=(
            "pack_padded_sequence",
            "caps[:, 1 : self.max_decode + 1]",
            "caps[:, 1:self.max_decode + 1]",
            "[:, 1:9]",
        ),
        batch=2,
    ),
    dict(
        id="llama-915-flat-logits-unflattened-labels",
        source="https://github.com/meta-llama/llama/issues/915",
        model="LlamaTextLoss",
        inputs=("15:long",),
        layer="cross_entropy",
        fixes=(
            "labels.view(-1)",
            "labels.reshape(-1)",
            "labels.flatten()",
            "input_ids.view(-1)",
            "input_ids.reshape(-1)",
        ),
    ),
]
