"""Constructor arguments that cannot work together: groups that do not divide the channels, a
pixel shuffle whose channels are not a multiple of its factor squared."""

from torch import nn


class UpConv(nn.Module):
    def __init__(self, in_channels, out_channels, kernel, padding=0, flag=True):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel, padding=padding)
        # if flag:
        self.norm = nn.GroupNorm(8, out_channels)
        self.act = nn.GELU()

    def forward(self, x):
        return self.act(self.norm(self.conv(x)))


class Counter(nn.Module):
    """VLCounter #6: with `if flag` commented out, the last UpConv (one output channel) builds
    GroupNorm(8, 1)."""

    def __init__(self, proj_dims=64):
        super().__init__()
        self.decoder = nn.ModuleList(
            [
                UpConv(proj_dims + 1, proj_dims, 3, 1),
                UpConv(proj_dims, proj_dims, 3, 1),
                UpConv(proj_dims, 1, 1, flag=False),
            ]
        )

    def forward(self, x):
        for layer in self.decoder:
            x = layer(x)
        return x


class GroupNorm32(nn.GroupNorm):
    pass


def normalization(channels):
    return GroupNorm32(32, channels)


class ResBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.in_layers = nn.Sequential(normalization(channels), nn.SiLU(), nn.Conv2d(channels, channels, 3, padding=1))

    def forward(self, x):
        return x + self.in_layers(x)


class UNetModel(nn.Module):
    """conditional-flow-matching #161: for 512x512 images the channel multipliers start at 0.5,
    so the first level has int(0.5 * 32) = 16 channels and GroupNorm32(32, 16) cannot be built."""

    def __init__(self, num_channels=32, image_size=512):
        super().__init__()
        channel_mult = (0.5, 1, 1, 2, 2, 4, 4) if image_size == 512 else (1, 2, 2, 2)
        self.input_blocks = nn.ModuleList()
        cin = 1
        for mult in channel_mult[:3]:
            ch = int(mult * num_channels)
            self.input_blocks.append(nn.Sequential(nn.Conv2d(cin, ch, 3, padding=1), ResBlock(ch)))
            cin = ch

    def forward(self, x):
        for block in self.input_blocks:
            x = block(x)
        return x


class GroupNormExample(nn.Module):
    """pytorch #74293: nn.GroupNorm(5, 6), which before that PR failed only when run."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=1)
        self.norm = nn.GroupNorm(5, 6)

    def forward(self, x):
        return self.norm(self.conv(x))


class ShuffleUnit(nn.Module):
    """ShuffleNet #5: with groups=8 the first unit of stage 2 has a bottleneck of
    (384 - 24) // 4 = 90 channels, which 8 groups do not divide."""

    def __init__(self, in_channels=24, out_channels=384, groups=8):
        super().__init__()
        bottleneck = (out_channels - in_channels) // 4
        self.g_conv_1x1_compress = nn.Conv2d(in_channels, bottleneck, 1, groups=groups)
        self.depthwise = nn.Conv2d(bottleneck, bottleneck, 3, stride=2, padding=1, groups=bottleneck)
        self.g_conv_1x1_expand = nn.Conv2d(bottleneck, out_channels - in_channels, 1, groups=groups)

    def forward(self, x):
        return self.g_conv_1x1_expand(self.depthwise(self.g_conv_1x1_compress(x)))


class ShmtUpsampler(nn.Module):
    """SHMT #1: the conv before PixelShuffle(4) gives 63 channels, not a multiple of 16."""

    def __init__(self, dim=64):
        super().__init__()
        self.conv_before = nn.Conv2d(dim, 63, 3, padding=1)
        self.shuffle = nn.PixelShuffle(4)

    def forward(self, x):
        return self.shuffle(self.conv_before(x))


BUGS = [
    dict(
        id="vlcounter-6-groupnorm-1",
        source="https://github.com/Seunggu0305/VLCounter/issues/6",
        model="Counter",
        inputs=("65x24x24",),
        layer="nn.GroupNorm(8, out_channels)",
        fixes=("GroupNorm(1,", "num_groups=1"),
        kind="construction",
    ),
    dict(
        id="flow-matching-161-groupnorm-16",
        source="https://github.com/atong01/conditional-flow-matching/issues/161",
        model="UNetModel",
        inputs=("1x512x512",),
        layer="GroupNorm32(32, channels)",
        fixes=("num_channels=64", "GroupNorm32(16", "num_groups=16"),
        kind="construction",
    ),
    dict(
        id="pytorch-74293-groupnorm-5-6",
        source="https://github.com/pytorch/pytorch/pull/74293",
        model="GroupNormExample",
        inputs=("3x4x4",),
        layer="nn.GroupNorm(5, 6)",
        fixes=("GroupNorm(6, 6)", "GroupNorm(3, 6)", "num_groups=6", "num_groups=3"),
        kind="construction",
    ),
    dict(
        id="shufflenet-5-groups-8",
        source="https://github.com/jaxony/ShuffleNet/issues/5",
        model="ShuffleUnit",
        inputs=("24x28x28",),
        layer="self.g_conv_1x1_compress = nn.Conv2d(",
        fixes=("groups=1", "groups=2", "groups=4", "groups=3", "groups=6"),
        kind="construction",
    ),
    dict(
        id="shmt-1-pixel-shuffle-63",
        source="https://github.com/Snowfallingplum/SHMT/issues/1",
        model="ShmtUpsampler",
        inputs=("64x16x16",),
        layer="shuffle",
        fixes=("Conv2d(dim, 64", "Conv2d(dim, 48", "out_channels=64", "out_channels=48"),
    ),
]
