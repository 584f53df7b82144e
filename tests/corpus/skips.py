"""Encoder-decoder skip connections whose maps differ by a pixel or a scale at the concatenation."""

import torch
import torch.nn.functional as F
from torch import nn


def double_conv(cin, cout):
    return nn.Sequential(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True), nn.Conv2d(cout, cout, 3, padding=1))


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.up = nn.ConvTranspose2d(cin, cin // 2, 2, stride=2)
        self.conv = double_conv(cin, cout)

    def forward(self, x, skip):
        x = self.up(x)
        return self.conv(torch.cat([skip, x], dim=1))


class UNet(nn.Module):
    """A plain UNet: `depth` 2x2 pools, so sizes must divide by 2**depth (ptrblck/pytorch_misc #2,
    Unet-Segmentation-Pytorch-Nest-of-Unets #55, carvana-pytorch-uNet #1, fepegar/unet #29,
    UNet_scAG #1)."""

    def __init__(self, in_channels=3, base=16, depth=4):
        super().__init__()
        chans = [base * 2**i for i in range(depth + 1)]
        self.inc = double_conv(in_channels, chans[0])
        self.downs = nn.ModuleList(double_conv(chans[i], chans[i + 1]) for i in range(depth))
        self.ups = nn.ModuleList(Up(chans[i + 1], chans[i]) for i in reversed(range(depth)))
        self.outc = nn.Conv2d(chans[0], 1, 1)

    def forward(self, x):
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(F.max_pool2d(skips[-1], 2)))
        x = skips.pop()
        for up in self.ups:
            x = up(x, skips.pop())
        return self.outc(x)


class UNet5(UNet):
    """UNet_scAG #1: five pools (sizes must divide by 32), trained at 760x540."""

    def __init__(self):
        super().__init__(depth=5)


class SmpUnet(nn.Module):
    """segmentation_models.pytorch #93: an EfficientNet-like encoder (stride-2 convs with padding 1,
    so odd sizes round up) and a decoder that upsamples by 2: at 350x525 the maps are 11 vs 22
    and 17 vs 33."""

    def __init__(self):
        super().__init__()
        chans = (3, 32, 24, 48, 120, 352)
        self.encoder = nn.ModuleList(nn.Conv2d(chans[i], chans[i + 1], 3, 2, 1) for i in range(5))
        self.blocks = nn.ModuleList(nn.Conv2d(chans[i + 1] + chans[i], chans[i], 3, padding=1) for i in range(4, 0, -1))
        self.head = nn.Conv2d(chans[1], 1, 1)

    def forward(self, x):
        feats = []
        for conv in self.encoder:
            x = conv(x)
            feats.append(x)
        x = feats.pop()
        for block in self.blocks:
            x = F.interpolate(x, scale_factor=2, mode="nearest")
            x = block(torch.cat([x, feats.pop()], dim=1))
        return self.head(x)


class TransUNetLike(nn.Module):
    """TransUNet #74: img_size=512 with grid_size=(16, 16): the patch stride (img_size // grid) is
    32, so the upsampled tokens are 32x32 while the stride-8 CNN skip is 64x64."""

    def __init__(self, img_size=512, grid=16, hidden=64):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.Conv2d(32, 64, 3, 2, 1), nn.Conv2d(64, 128, 3, 2, 1))
        self.patch = nn.Conv2d(128, hidden, kernel_size=img_size // grid // 8, stride=img_size // grid // 8)
        self.decoder = nn.Conv2d(hidden + 128, 64, 3, padding=1)

    def forward(self, x):
        skip = self.stem(x)
        x = self.patch(skip)
        x = F.interpolate(x, scale_factor=2, mode="bilinear")
        x = torch.cat([x, skip], dim=1)
        return self.decoder(x)


BUGS = [
    dict(
        id="ptrblck-misc-2-unet-222",
        source="https://github.com/ptrblck/pytorch_misc/issues/2",
        model="UNet",
        inputs=("3x222x222",),
        layer="ups.0",
        fixes=("3x224x224", "3x208x208", "interpolate", "F.pad"),
    ),
    dict(
        id="nest-of-unets-55-488",
        source="https://github.com/bigmb/Unet-Segmentation-Pytorch-Nest-of-Unets/issues/55",
        model="UNet",
        inputs=("3x488x488",),
        layer="ups.0",
        fixes=("3x480x480", "3x496x496", "interpolate", "F.pad"),
    ),
    dict(
        id="carvana-unet-1-684",
        source="https://github.com/Hsuxu/carvana-pytorch-uNet/issues/1",
        model="UNet",
        inputs=("3x1024x684",),
        layer="ups.0",
        fixes=("3x1024x672", "3x1024x688", "interpolate", "F.pad"),
    ),
    dict(
        id="fepegar-unet-29-511",
        source="https://github.com/fepegar/unet/issues/29",
        model="UNet",
        inputs=("1x511x511",),
        args={"in_channels": 1},
        layer="ups.0",
        fixes=("1x512x512", "1x496x496", "interpolate", "F.pad"),
    ),
    dict(
        id="unet-scag-1-760x540",
        source="https://github.com/lbktrinh/UNet_scAG/issues/1",
        model="UNet5",
        inputs=("3x760x540",),
        layer="ups.0",
        fixes=("3x768x544", "3x736x512", "3x768x512", "3x736x544", "interpolate", "F.pad"),
    ),
    dict(
        id="smp-93-350x525",
        source="https://github.com/qubvel-org/segmentation_models.pytorch/issues/93",
        model="SmpUnet",
        inputs=("3x350x525",),
        layer="cat",
        fixes=("3x352x544", "3x352x512", "3x320x512", "3x384x544", "interpolate(x, size"),
    ),
    dict(
        id="transunet-74-grid",
        source="https://github.com/Beckschen/TransUNet/issues/74",
        model="TransUNetLike",
        inputs=("3x512x512",),
        layer="cat",
        fixes=("grid=32", "3x256x256"),
    ),
    dict(
        id="smp-57-160x240",
        source="https://github.com/qubvel-org/segmentation_models.pytorch/issues/57",
        model="SmpUnet",
        inputs=("3x160x240",),
        layer="cat",
        fixes=("3x160x256", "3x160x224", "3x192x256", "3x128x256", "interpolate(x, size"),
    ),
]
