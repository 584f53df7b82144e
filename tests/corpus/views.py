"""view/reshape calls whose sizes do not fit the tensor, or that regroup dims across samples."""

import torch
import torch.nn.functional as F
from torch import nn


class SlotModel(nn.Module):
    """scouter #10: the feature map is viewed as (B, 128, feature_size, feature_size) with
    feature_size from the configured img_size (288 // 32 = 9), but the images are 448x448 (14x14)."""

    def __init__(self, img_size=288, channel=128):
        super().__init__()
        self.channel = channel
        self.feature_size = img_size // 32
        self.backbone = nn.Conv2d(3, channel, kernel_size=32, stride=32)
        self.conv1x1 = nn.Conv2d(channel, 64, 1)

    def forward(self, x):
        x = self.backbone(x)
        x = x.flatten(2)
        x = self.conv1x1(x.view(x.size(0), self.channel, self.feature_size, self.feature_size))
        return x


class GlobalQueryGen(nn.Module):
    """GCVit #26: the global query tokens are reshaped to (B, 1, 49, heads, dim_head): 49 is the
    7x7 window of a 224x224 input; at 112x112 the map is 3x3."""

    def __init__(self, dim=96, num_heads=3, window=7):
        super().__init__()
        self.N = window * window
        self.num_heads, self.dim_head = num_heads, dim // num_heads
        self.to_q = nn.Conv2d(3, dim, kernel_size=32, stride=32)

    def forward(self, x):
        x = self.to_q(x)
        B = x.shape[0]
        x = x.permute(0, 2, 3, 1)
        x = x.reshape(B, 1, self.N, self.num_heads, self.dim_head).permute(0, 1, 3, 2, 4)
        return x


class SamBlock(nn.Module):
    """PixelFormer #18: v (B, 1089, 512) from a stride-16 patch conv on a 530x530 image (33x33),
    viewed as (B, 34, 34, 512) with H and W rounded up from the image size."""

    def __init__(self, dim=512):
        super().__init__()
        self.proj = nn.Conv2d(3, dim, kernel_size=16, stride=16)

    def forward(self, img):
        H = W = -(-img.shape[-1] // 16)  # ceil: the map the config expects
        v = self.proj(img).flatten(2).transpose(1, 2)
        B, _, C = v.shape
        v = v.view(B, H, W, C)
        return v.mean(dim=(1, 2))


class GmmRegression(nn.Module):
    """cp-vton #30: the correlation map is permuted, then flattened with view: not contiguous."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(192, 128, 4, 2, 1), nn.ReLU(), nn.Conv2d(128, 64, 3, 1, 1), nn.ReLU())
        self.linear = nn.Linear(64 * 4 * 3, 18)

    def forward(self, x):
        x = self.conv(x)
        x = x.permute(0, 1, 3, 2)
        x = x.view(x.size(0), -1)
        return self.linear(x)


class Conv2Plus1d(nn.Module):
    """pytorch-conv2_1d #1: (b, c, t, d1, d2) viewed as (b*t, c, d1, d2) without moving t next to
    b first: the 2D conv sees frames made of pieces of different channels and times."""

    def __init__(self, in_channels=3, out_channels=16):
        super().__init__()
        self.out_channels = out_channels
        self.conv2d = nn.Conv2d(in_channels, out_channels, 3, padding=1)
        self.conv1d = nn.Conv1d(out_channels, out_channels, 3, padding=1)

    def forward(self, x):
        b, c, t, d1, d2 = x.size()
        x = x.view(b * t, c, d1, d2)
        x = self.conv2d(x)
        dr1, dr2 = x.size(2), x.size(3)
        x = x.view(b * dr1 * dr2, x.size(1), t)
        x = self.conv1d(x)
        return x.view(b, self.out_channels, -1, dr1, dr2)


class PsaAttention(nn.Module):
    """awesome-semantic-segmentation-pytorch #71: PSANet's attention map is sized for the 60x60
    features of a 480x480 crop; bmm with the features of another size fails."""

    def __init__(self, channels=64, feat=60):
        super().__init__()
        self.feat = feat
        self.reduce = nn.Conv2d(3, channels, kernel_size=8, stride=8)
        self.attention = nn.Conv2d(channels, feat * feat, 1)

    def forward(self, x):
        reduce_x = self.reduce(x)
        b, c = reduce_x.shape[:2]
        attention = self.attention(reduce_x).view(b, self.feat * self.feat, -1)
        fm = torch.bmm(reduce_x.view(b, c, -1), attention)
        return F.relu(fm)


class HpaNet(nn.Module):
    """hpa-scc #38: x.view(-1, 8 * 16 * 1 * 30 * 30) with the batch of 8 written into the row
    size, and fc sized to match: the 8 samples become one row of features (and a last batch of
    5 fails: invalid for input of size 72000)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv3d(1, 16, kernel_size=(7, 3, 3))
        self.fc = nn.Linear(8 * 16 * 1 * 30 * 30, 18)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = x.view(-1, 8 * 16 * 1 * 30 * 30)
        return self.fc(x)


BUGS = [
    dict(
        id="scouter-10-feature-size",
        source="https://github.com/wbw520/scouter/issues/10",
        model="SlotModel",
        inputs=("3x448x448",),
        layer="view",
        fixes=("img_size=448", "3x288x288", "x.size(2)", "x.shape[2]"),
    ),
    dict(
        id="gcvit-26-input-112",
        source="https://github.com/NVlabs/GCVit/issues/26",
        model="GlobalQueryGen",
        inputs=("3x112x112",),
        layer="reshape",
        fixes=("3x224x224",),
        batch=32,
    ),
    dict(
        id="pixelformer-18-ceil",
        source="https://github.com/ashutosh1807/PixelFormer/issues/18",
        model="SamBlock",
        inputs=("3x530x530",),
        layer="view",
        fixes=("3x528x528", "3x544x544", "x544", "x528"),
    ),
    dict(
        id="cp-vton-30-view-contiguous",
        source="https://github.com/sergeywong/cp-vton/issues/30",
        model="GmmRegression",
        inputs=("192x8x6",),
        layer="view",
        fixes=("reshape(",),
    ),
    dict(
        id="conv2-1d-1-view-without-permute",
        source="https://github.com/proceduralia/pytorch-conv2_1d/issues/1",
        model="Conv2Plus1d",
        inputs=("3x8x16x16",),
        layer="view",
        fixes=("permute(0, 2, 1, 3, 4)", "transpose(1, 2)"),
        kind="silent",
        batch=2,
    ),
    dict(
        id="psanet-71-size-locked",
        source="https://github.com/Tramac/awesome-semantic-segmentation-pytorch/issues/71",
        model="PsaAttention",
        inputs=("3x512x512",),
        layer="bmm",
        fixes=("3x480x480",),
    ),
    dict(
        id="hpa-scc-38-batch-in-view",
        source="https://github.com/weka511/hpa-scc/issues/38",
        model="HpaNet",
        inputs=("1x7x32x32",),
        layer="view",
        fixes=("x.size(0), -1", "flatten(x, 1)", "x.shape[0], -1"),
        kind="silent",
        batch=8,
    ),
]
