"""Correct models of the families in families3.py: what the threads' models do once fixed (or
given the input their fix asks for). No entry here is a bug; shapecheck must find nothing in them
(tests/test_corpus_clean.py)."""

import torch
import torch.nn.functional as F
from torch import nn

# --- Diffusion UNets -------------------------------------------------------------------------


class LabelConditionedResBlock(nn.Module):
    """The label embedding taken from the condition's one column: [B, C] like the time's."""

    def __init__(self, in_channels=4, channels=32, emb_dim=32, num_classes=32):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.time_embedder = nn.Sequential(nn.Linear(1, emb_dim), nn.SiLU(), nn.Linear(emb_dim, emb_dim))
        self.cond_embedder = nn.Embedding(num_classes, emb_dim)
        self.emb_proj = nn.Linear(emb_dim, channels)
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x, t, condition):
        h = self.conv_in(x)
        emb = self.time_embedder(t) + self.cond_embedder(condition[:, 0])
        emb = self.emb_proj(F.silu(emb))
        b, c = h.shape[:2]
        return self.conv(F.silu(h + emb.reshape(b, c, 1, 1)))


class MergeModulate(nn.Module):
    def __init__(self, channels, features):
        super().__init__()
        self.to_scale_shift = nn.Linear(features, 2 * channels)

    def forward(self, x, y, features):
        scale, shift = self.to_scale_shift(features)[:, :, None].chunk(2, dim=1)
        return (x + y) * (1 + scale) + shift


class AudioUNet1D(nn.Module):
    """The 1-D UNet on a length that is a multiple of its total downsampling (288 = 16 × 18)."""

    def __init__(self, in_channels=1, patch=8, channels=(64, 128), features=64):
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
        skip = self.patch_in(x)
        h = self.up(self.mid(F.silu(self.down(skip))))
        return self.patch_out(self.merge(skip, h, features))


class DocDiffSkip(nn.Module):
    """A one-level UNet whose upsampled map is resized to the skip's size before the cat."""

    def __init__(self, in_channels=3, skip_channels=12, channels=16):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, skip_channels, 3, padding=1)
        self.down = nn.Conv2d(skip_channels, channels, 3, stride=2, padding=1)
        self.mid = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv_out = nn.Conv2d(channels + skip_channels, in_channels, 3, padding=1)

    def forward(self, img):
        s = self.conv_in(img)
        x = F.interpolate(F.silu(self.mid(self.down(s))), size=s.shape[-2:], mode="nearest")
        return self.conv_out(torch.cat((x, s), dim=1))


class UNet3DChannelsFirst(nn.Module):
    """A video UNet stem given [batch, channel, frames, height, width], as its code reads it."""

    def __init__(self, in_channels=3, block_out_channels=12):
        super().__init__()
        self.conv_in = nn.Conv2d(in_channels, block_out_channels, 3, padding=1)
        self.conv_out = nn.Conv2d(block_out_channels, in_channels, 3, padding=1)

    def forward(self, sample):
        num_frames, batch = sample.shape[2], sample.shape[0]
        sample = sample.permute(0, 2, 1, 3, 4).reshape((batch * num_frames, -1) + sample.shape[3:])
        sample = self.conv_out(F.silu(self.conv_in(sample)))
        return sample.reshape((batch, num_frames) + sample.shape[1:]).permute(0, 2, 1, 3, 4)


class TextConditionedUNetBlock(nn.Module):
    """Cross-attention built for the text encoder's width (768), heads split with view + transpose."""

    def __init__(self, in_channels=4, model_channels=64, context_dim=768, heads=8):
        super().__init__()
        self.heads = heads
        self.conv_in = nn.Conv2d(in_channels, model_channels, 3, padding=1)
        self.norm = nn.GroupNorm(32, model_channels)
        self.to_q = nn.Linear(model_channels, model_channels, bias=False)
        self.to_k = nn.Linear(context_dim, model_channels, bias=False)
        self.to_v = nn.Linear(context_dim, model_channels, bias=False)
        self.to_out = nn.Linear(model_channels, model_channels)
        self.conv_out = nn.Conv2d(model_channels, in_channels, 3, padding=1)

    def forward(self, latents, context):
        h = self.conv_in(latents)
        b, c, height, width = h.shape
        x = self.norm(h).flatten(2).transpose(1, 2)
        q = self.to_q(x).view(b, -1, self.heads, c // self.heads).transpose(1, 2)
        k = self.to_k(context).view(b, -1, self.heads, c // self.heads).transpose(1, 2)
        v = self.to_v(context).view(b, -1, self.heads, c // self.heads).transpose(1, 2)
        attn = (q @ k.transpose(-2, -1) * q.size(-1) ** -0.5).softmax(dim=-1)
        x = x + self.to_out((attn @ v).transpose(1, 2).reshape(b, height * width, c))
        return self.conv_out(x.transpose(1, 2).reshape(b, c, height, width))


class DiffusionTimeEncoding(nn.Module):
    """Sin on the even features and cos on the odd ones, per sample ([:, ::2])."""

    def __init__(self, in_channels=3, channels=32, dim=32):
        super().__init__()
        self.register_buffer("inv_freq", torch.exp(-(torch.arange(dim) // 2) * 2 / dim * 9.21))
        self.time_mlp = nn.Sequential(nn.Linear(dim, channels), nn.SiLU(), nn.Linear(channels, channels))
        self.conv1 = nn.Conv2d(in_channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, in_channels, 3, padding=1)

    def forward(self, x, t):
        embeddings = t * self.inv_freq[None, :]
        embeddings = torch.stack([embeddings[:, ::2].sin(), embeddings[:, 1::2].cos()], dim=-1).flatten(1)
        h = F.silu(self.conv1(x)) + self.time_mlp(embeddings)[:, :, None, None]
        return self.conv2(h)


# --- Graph / index ops -----------------------------------------------------------------------


class BatchedGraphFc(nn.Module):
    """Batches of two 24-node graphs [B, 48, F], messages gathered and added on the node dim,
    read out per graph with reshape(batch, num_graphs, -1)."""

    def __init__(self, num_nodes=24, in_features=1, hidden=16, num_graphs=2):
        super().__init__()
        self.num_graphs = num_graphs
        self.lin = nn.Linear(in_features, hidden)
        ring = torch.arange(num_nodes)
        src = torch.cat([ring + g * num_nodes for g in range(num_graphs)])
        dst = torch.cat([(ring + 1) % num_nodes + g * num_nodes for g in range(num_graphs)])
        self.register_buffer("edge_index", torch.stack([torch.cat([src, dst]), torch.cat([dst, src])]))
        self.fc1 = nn.Linear(num_nodes * hidden, 1)

    def forward(self, x):
        x = self.lin(x)
        row, col = self.edge_index
        x = F.relu(x + torch.zeros_like(x).index_add_(1, row, x.index_select(1, col)))
        return self.fc1(x.reshape(x.size(0), self.num_graphs, -1))


class BucketScatterMean(nn.Module):
    """Colors averaged per grid cell: one flat cell index per point, scattered along the point dim."""

    def __init__(self, grid=5, extent=30):
        super().__init__()
        self.grid = grid
        self.register_buffer("steps", torch.linspace(0, extent, grid + 1))

    def forward(self, colors, points):
        points = points.float()
        x_bucket = (torch.bucketize(points[..., 0].contiguous(), self.steps) - 1).clamp(0, self.grid - 1)
        y_bucket = (torch.bucketize(points[..., 1].contiguous(), self.steps) - 1).clamp(0, self.grid - 1)
        cell = x_bucket * self.grid + y_bucket  # [B, n]
        target = torch.zeros(colors.size(0), self.grid * self.grid, colors.size(2))
        index = cell[..., None].expand_as(colors)
        return target.scatter_reduce(1, index, colors, "mean", include_self=False)


class VertexOffsetScatter(nn.Module):
    """Offsets added onto vertices with an index as wide as the offsets (expand(-1, -1, 3))."""

    def __init__(self, vertices=100, offsets=600):
        super().__init__()
        self.vertices = nn.Parameter(torch.zeros(1, vertices, 3))
        self.register_buffer("ind", (torch.arange(offsets) * 7 % vertices)[None, :, None])

    def forward(self, ofs):
        src = self.vertices.expand(ofs.size(0), -1, -1)
        ind = self.ind.expand(ofs.size(0), -1, 3)
        return src.scatter_add(1, ind, ofs)


class SagPoolNeighbourMax(nn.Module):
    """The neighbourhood max scattered into one row per node (as many rows as x has nodes)."""

    def __init__(self, channels=16, num_nodes=60, num_edges=150, last_source=50):
        super().__init__()
        source = torch.arange(num_edges) % (last_source + 1)
        target = (source * 7 + 1) % num_nodes
        self.register_buffer("edge_index", torch.stack([source, target]))
        self.score_layer = nn.Linear(2 * channels, 1)

    def forward(self, x):
        src, dst = self.edge_index
        x_neig = x.index_select(1, src) - x.index_select(1, dst)
        index = src[None, :, None].expand_as(x_neig)
        x_neig_max = torch.zeros_like(x).scatter_reduce(1, index, x_neig, "amax", include_self=False)
        score = self.score_layer(torch.cat([x, x_neig_max], dim=2))
        return x * torch.tanh(score)


class EdgeListGcn(nn.Module):
    """A mean-aggregating GCN whose edge list is stored [2, E], over node features [B, N, F]."""

    def __init__(self, in_features=32, hidden=16, num_nodes=50, num_edges=200):
        super().__init__()
        self.lin = nn.Linear(in_features, hidden)
        src = torch.arange(num_edges) % num_nodes
        self.register_buffer("edge_index", torch.stack([src, (src * 13 + 5) % num_nodes]))

    def forward(self, x):
        h = self.lin(x)
        row, col = self.edge_index[0], self.edge_index[1]
        deg = torch.zeros(h.size(1)).index_add_(0, row, torch.ones(row.size(0))).clamp(min=1)
        out = torch.zeros_like(h).index_add_(1, row, h.index_select(1, col))
        return F.relu(h + out / deg[:, None])


# --- LLM / transformer blocks ----------------------------------------------------------------


class BasedGqa(nn.Module):
    """Linear attention with grouped kv heads, the key projection sized for the kv heads."""

    def __init__(self, d_model=64, num_heads=8, num_key_value_heads=4, feature_dim=4):
        super().__init__()
        self.num_heads, self.num_key_value_heads = num_heads, num_key_value_heads
        self.feature_dim, self.head_dim = feature_dim, d_model // num_heads
        self.proj_q = nn.Linear(d_model, feature_dim * num_heads, bias=False)
        self.proj_k = nn.Linear(d_model, feature_dim * num_key_value_heads, bias=False)
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
        y = torch.einsum("bhld,bhde->bhle", q, torch.einsum("bhld,bhle->bhde", k, v))
        return self.out_proj(y.transpose(1, 2).reshape(b, seq_len, -1))


class MaskedMultiHeadAttention(nn.Module):
    """A padding mask [batch, seq, seq] given its head dim before masked_fill."""

    def __init__(self, vocab=32, d_model=64, n_head=8):
        super().__init__()
        self.n_head, self.d_head = n_head, d_model // n_head
        self.emb = nn.Embedding(vocab, d_model)
        self.w_qkv = nn.Linear(d_model, 3 * d_model)
        self.w_concat = nn.Linear(d_model, d_model)

    def forward(self, tokens):
        b, length = tokens.shape
        mask = (tokens != 0).unsqueeze(-2).expand(-1, length, -1)
        q, k, v = self.w_qkv(self.emb(tokens)).split(self.n_head * self.d_head, dim=-1)
        q, k, v = (t.view(b, length, self.n_head, self.d_head).transpose(1, 2) for t in (q, k, v))
        score = q @ k.transpose(2, 3) / self.d_head**0.5
        score = score.masked_fill(mask.unsqueeze(1) == 0, -10000)
        out = score.softmax(dim=-1) @ v
        return self.w_concat(out.transpose(1, 2).reshape(b, length, -1))


class DotAttention(nn.Module):
    """Dot attention normalised over the context positions (dim=-1)."""

    def __init__(self, dimensions=3):
        super().__init__()
        self.linear_out = nn.Linear(dimensions * 2, dimensions, bias=False)

    def forward(self, query, context):
        batch_size, output_len, dimensions = query.size()
        weights = torch.bmm(query, context.transpose(1, 2)).softmax(dim=-1)
        combined = torch.cat((torch.bmm(weights, context), query), dim=2)
        return torch.tanh(self.linear_out(combined.view(batch_size * output_len, 2 * dimensions))).view(
            batch_size, output_len, dimensions
        )


class SoftMoe(nn.Module):
    """Soft MoE with dispatch weights normalised over the tokens (dim 1) of each sample."""

    def __init__(self, dim=32, num_experts=4, slots_per_expert=2):
        super().__init__()
        self.phi = nn.Parameter(torch.randn(dim, num_experts, slots_per_expert) / dim**0.5)
        self.experts = nn.ModuleList(nn.Linear(dim, dim) for _ in range(num_experts))

    def forward(self, x):
        logits = torch.einsum("bmd,dnp->bmnp", x, self.phi)
        slots = torch.einsum("bmd,bmnp->bnpd", x, logits.softmax(dim=1))
        outs = torch.stack([expert(slots[:, i]) for i, expert in enumerate(self.experts)], dim=1)
        return torch.einsum("bkd,bmk->bmd", outs.flatten(1, 2), logits.flatten(start_dim=2).softmax(dim=-1))


class GreedyGenerate(nn.Module):
    """Greedy decoding that appends each token as a [batch, 1] column."""

    def __init__(self, vocab=32, dim=16, steps=3):
        super().__init__()
        self.steps = steps
        self.embed = nn.Embedding(vocab, dim)
        self.lm_head = nn.Linear(dim, vocab)

    def forward(self, input_ids):
        out = input_ids
        for _ in range(self.steps):
            logits = self.lm_head(torch.tanh(self.embed(out)))
            out = torch.cat((out, logits[:, -1, :].argmax(dim=-1, keepdim=True)), dim=-1)
        return out


class ElectraTemperatureSampling(nn.Module):
    """One sampled token per position: multinomial over [batch * seq, vocab], back to [batch, seq]."""

    def __init__(self, vocab=64, dim=16, temperature=1.0):
        super().__init__()
        self.temperature = temperature
        self.embed = nn.Embedding(vocab, dim)
        self.generator_head = nn.Linear(dim, vocab)

    def forward(self, input_ids):
        logits = self.generator_head(torch.tanh(self.embed(input_ids)))
        probs = torch.softmax(logits / self.temperature, dim=-1)
        return probs.view(-1, probs.size(-1)).multinomial(1).view(input_ids.shape)


# --- Silent: normalisation and broadcasting --------------------------------------------------


class LinearRegressionMse(nn.Module):
    """The regression target kept as a column, [B, 1] like the prediction."""

    def __init__(self):
        super().__init__()
        self.model = nn.Linear(2, 1)
        self.loss_func = nn.MSELoss()

    def forward(self, data):
        return self.loss_func(self.model(data[:, :2]), data[:, 2:])


class SKAttention(nn.Module):
    """Selective kernels weighted by a softmax over the k branches (dim 0)."""

    def __init__(self, channel=32, kernels=(1, 3, 5), reduction=4, L=8):
        super().__init__()
        d = max(L, channel // reduction)
        self.convs = nn.ModuleList(
            nn.Sequential(nn.Conv2d(channel, channel, k, padding=k // 2), nn.BatchNorm2d(channel), nn.ReLU())
            for k in kernels
        )
        self.fc = nn.Linear(channel, d)
        self.fcs = nn.ModuleList(nn.Linear(d, channel) for _ in kernels)
        self.softmax = nn.Softmax(dim=0)

    def forward(self, x):
        bs, c, _, _ = x.size()
        feats = torch.stack([conv(x) for conv in self.convs], 0)
        z = self.fc(feats.sum(0).mean(-1).mean(-1))
        weights = torch.stack([fc(z).view(bs, c, 1, 1) for fc in self.fcs], 0)
        return (self.softmax(weights) * feats).sum(0)


class AttentionPool(nn.Module):
    """Attention pooling over the time steps of each sequence: scores [seq, batch, 1], softmax(dim=0)."""

    def __init__(self, vocab=32, dim=16, hidden=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.rnn = nn.GRU(dim, hidden)
        self.attn = nn.Linear(dim + hidden, 1)

    def forward(self, tokens):
        x = self.embed(tokens.t())
        outputs, _ = self.rnn(x)
        attn_weights = F.softmax(self.attn(torch.cat((x, outputs), 2)), dim=0)
        return (attn_weights * outputs).sum(0)


# --- Audio / video ---------------------------------------------------------------------------


class Vocoder(nn.Module):
    """A vocoder stem given mel spectrograms [batch, 80 mel channels, frames]."""

    def __init__(self, n_mels=80, channels=32):
        super().__init__()
        self.conv_pre = nn.Conv1d(n_mels, channels, 7, padding=3)
        self.up = nn.ConvTranspose1d(channels, channels // 2, 8, stride=4, padding=2)
        self.conv_post = nn.Conv1d(channels // 2, 1, 7, padding=3)

    def forward(self, mel):
        return torch.tanh(self.conv_post(F.leaky_relu(self.up(F.leaky_relu(self.conv_pre(mel), 0.2)), 0.2)))


class MaskEstimatorLstm(nn.Module):
    """A mask estimator whose LSTM reads [batch, frames, bins] (batch_first=True)."""

    def __init__(self, num_bins=257, hidden=64):
        super().__init__()
        self.lstm = nn.LSTM(num_bins, hidden, batch_first=True)
        self.linear = nn.Linear(hidden, num_bins)

    def forward(self, x):
        x, _ = self.lstm(x)
        return torch.sigmoid(self.linear(x))


# --- Sequence losses -------------------------------------------------------------------------


class CaptionDecoderLoss(nn.Module):
    """Caption scores [batch, steps, vocab] against the next tokens of as many steps, the classes
    moved to dim 1 for the cross entropy."""

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
        scores = torch.stack(scores, dim=1)
        targets = caps[:, 1 : self.max_decode + 1]
        return self.criterion(scores.transpose(1, 2), targets)


class LlamaTextLoss(nn.Module):
    """A next-token loss with logits and labels both flattened to [batch * (seq - 1)]."""

    def __init__(self, vocab=32, dim=16):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.layer = nn.Linear(dim, dim)
        self.lm_head = nn.Linear(dim, vocab)

    def forward(self, input_ids):
        logits = self.lm_head(torch.tanh(self.layer(self.embed(input_ids))))[:, :-1]
        labels = input_ids[:, 1:]
        return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1))


CLEAN = [
    dict(model="LabelConditionedResBlock", inputs=("4x8x8", "1", "1:long"), batch=2),
    dict(model="AudioUNet1D", inputs=("1x288", "1"), batch=2),
    dict(model="DocDiffSkip", inputs=("3x39x29",), batch=1),
    dict(model="UNet3DChannelsFirst", inputs=("3x5x24x32",), batch=1),
    dict(model="TextConditionedUNetBlock", inputs=("4x8x8", "77x768"), batch=2),
    dict(model="DiffusionTimeEncoding", inputs=("3x8x8", "1"), batch=4),
    dict(model="BatchedGraphFc", inputs=("48x1",), batch=2),
    dict(model="BucketScatterMean", inputs=("100x3", "100x2:long"), batch=2),
    dict(model="VertexOffsetScatter", inputs=("600x3",), batch=8),
    dict(model="SagPoolNeighbourMax", inputs=("60x16",), batch=2),
    dict(model="EdgeListGcn", inputs=("50x32",), batch=2),
    dict(model="BasedGqa", inputs=("32x64",), batch=2),
    dict(model="MaskedMultiHeadAttention", inputs=("10:long",), batch=2),
    dict(model="DotAttention", inputs=("1x3", "2x3"), batch=2),
    dict(model="SoftMoe", inputs=("16x32",), batch=2),
    dict(model="GreedyGenerate", inputs=("5:long",), batch=8),
    dict(model="ElectraTemperatureSampling", inputs=("16:long",), batch=2),
    dict(model="LinearRegressionMse", inputs=("3",), batch=100),
    dict(model="SKAttention", inputs=("32x8x8",), batch=2),
    dict(model="AttentionPool", inputs=("7:long",), batch=2),
    dict(model="Vocoder", inputs=("80x258",), batch=1),
    dict(model="MaskEstimatorLstm", inputs=("50x257",), batch=4),
    dict(model="CaptionDecoderLoss", inputs=("6x16", "12:long"), batch=2),
    dict(model="LlamaTextLoss", inputs=("15:long",), batch=2),
]
