"""Position tables smaller than the sequence: learned position embeddings and ViT pos_embed."""

import torch
from torch import nn


class Seq2SeqEncoder(nn.Module):
    """pytorch-seq2seq #89 and #69: pos_embedding = nn.Embedding(max_length, hid_dim) indexed with
    arange(src_len); sentences longer than max_length index past the table."""

    def __init__(self, input_dim=5000, hid_dim=256, max_length=100):
        super().__init__()
        self.tok_embedding = nn.Embedding(input_dim, hid_dim)
        self.pos_embedding = nn.Embedding(max_length, hid_dim)
        self.layer = nn.TransformerEncoderLayer(hid_dim, 8, 512, batch_first=True)

    def forward(self, src):
        batch_size, src_len = src.shape
        pos = torch.arange(0, src_len).unsqueeze(0).repeat(batch_size, 1)
        src = self.tok_embedding(src) * 16.0 + self.pos_embedding(pos)
        return self.layer(src)


class Seq2SeqEncoder1000(Seq2SeqEncoder):
    """pytorch-seq2seq #69: the same encoder with the table at 1000 positions."""

    def __init__(self):
        super().__init__(max_length=1000)


class EsmEmbedPositions(nn.Module):
    """esm #49: learned positions for 1024 tokens, offset by padding_idx + 1: a 1100-residue
    protein indexes position 1101."""

    def __init__(self, max_positions=1024, dim=320, padding_idx=1):
        super().__init__()
        self.padding_idx = padding_idx
        self.embed_tokens = nn.Embedding(33, dim, padding_idx=padding_idx)
        self.embed_positions = nn.Embedding(max_positions + padding_idx + 1, dim, padding_idx=padding_idx)

    def forward(self, tokens):
        positions = torch.arange(tokens.shape[1]).unsqueeze(0) + self.padding_idx + 1
        return self.embed_tokens(tokens) + self.embed_positions(positions.expand_as(tokens))


class PositionalEmbedding1D(nn.Module):
    def __init__(self, seq_len, dim):
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.zeros(1, seq_len, dim))

    def forward(self, x):
        return x + self.pos_embedding


class PretrainedViT(nn.Module):
    """PyTorch-Pretrained-ViT #14 and #16: positions for a 224x224 image (14x14 patches + class
    token), images of 384x384 give 577 tokens."""

    def __init__(self, image_size=224, patch=16, dim=192):
        super().__init__()
        self.patch_embedding = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        self.class_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.positional_embedding = PositionalEmbedding1D((image_size // patch) ** 2 + 1, dim)
        self.fc = nn.Linear(dim, 37)

    def forward(self, x):
        x = self.patch_embedding(x).flatten(2).transpose(1, 2)
        x = torch.cat((self.class_token.expand(x.shape[0], -1, -1), x), dim=1)
        x = self.positional_embedding(x)
        return self.fc(x[:, 0])


class Embeddings(nn.Module):
    """ViT-pytorch (jeonsworld) #3: position_embeddings for img_size 224 with CIFAR-10's 32x32
    images: 5 tokens against 197."""

    def __init__(self, img_size=224, patch=16, hidden=192):
        super().__init__()
        n_patches = (img_size // patch) ** 2
        self.patch_embeddings = nn.Conv2d(3, hidden, kernel_size=patch, stride=patch)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, hidden))
        self.position_embeddings = nn.Parameter(torch.zeros(1, n_patches + 1, hidden))

    def forward(self, x):
        x = self.patch_embeddings(x).flatten(2).transpose(-1, -2)
        x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
        return x + self.position_embeddings


class SamImageEncoder(nn.Module):
    """SAMed #28: SAM's pos_embed is a 64x64 grid (1024x1024 images); a 512x512 image gives a
    32x32 map."""

    def __init__(self, img_size=1024, patch=16, dim=96):
        super().__init__()
        self.patch_embed = nn.Conv2d(3, dim, kernel_size=patch, stride=patch)
        self.pos_embed = nn.Parameter(torch.zeros(1, img_size // patch, img_size // patch, dim))

    def forward(self, x):
        x = self.patch_embed(x).permute(0, 2, 3, 1)
        return x + self.pos_embed


class BertEmbeddings(nn.Module):
    """sentence-transformers #1600: a BERT with 512 positions given a 700-token input (no
    max_seq_length set): IndexError: index out of range in self."""

    def __init__(self, vocab=30522, hidden=128, max_position_embeddings=512):
        super().__init__()
        self.word_embeddings = nn.Embedding(vocab, hidden)
        self.position_embeddings = nn.Embedding(max_position_embeddings, hidden)
        self.LayerNorm = nn.LayerNorm(hidden)

    def forward(self, input_ids):
        position_ids = torch.arange(input_ids.shape[1]).unsqueeze(0)
        return self.LayerNorm(self.word_embeddings(input_ids) + self.position_embeddings(position_ids))


BUGS = [
    dict(
        id="seq2seq-89-pos-100",
        source="https://github.com/bentrevett/pytorch-seq2seq/issues/89",
        model="Seq2SeqEncoder",
        inputs=("101:long",),
        layer="pos_embedding",
        fixes=("max_length=101", "100:long"),
        batch=2,
    ),
    dict(
        id="seq2seq-69-pos-1000",
        source="https://github.com/bentrevett/pytorch-seq2seq/issues/69",
        model="Seq2SeqEncoder1000",
        inputs=("1200:long",),
        layer="pos_embedding",
        fixes=("max_length=1200", "1000:long"),
        batch=2,
    ),
    dict(
        id="esm-49-long-protein",
        source="https://github.com/facebookresearch/esm/issues/49",
        model="EsmEmbedPositions",
        inputs=("1100:long",),
        layer="embed_positions",
        fixes=("1024:long", "max_positions=1100"),
    ),
    dict(
        id="pretrained-vit-14-384",
        source="https://github.com/lukemelas/PyTorch-Pretrained-ViT/issues/14",
        model="PretrainedViT",
        inputs=("3x384x384",),
        layer="positional_embedding",
        fixes=("image_size=384", "3x224x224"),
    ),
    dict(
        id="jeonsworld-vit-3-cifar",
        source="https://github.com/jeonsworld/ViT-pytorch/issues/3",
        model="Embeddings",
        inputs=("3x32x32",),
        layer="add",
        fixes=("img_size=32", "3x224x224"),
    ),
    dict(
        id="samed-28-512",
        source="https://github.com/hitachinsk/SAMed/issues/28",
        model="SamImageEncoder",
        inputs=("3x512x512",),
        layer="add",
        fixes=("img_size=512", "3x1024x1024", "interpolate"),
    ),
    dict(
        id="sbert-1600-long-input",
        source="https://github.com/huggingface/sentence-transformers/issues/1600",
        model="BertEmbeddings",
        inputs=("700:long",),
        layer="position_embeddings",
        fixes=("512:long", "max_position_embeddings=700"),
    ),
]
