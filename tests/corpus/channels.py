"""Channel counts that do not chain: a conv built for other channels than it is given."""

import torch.nn.functional as F
from torch import nn
from torchvision.models import resnet18, resnet50


class RgbIntoGray(nn.Module):
    """duoke360 34762: conv1 built for 1 channel, the loader gives RGB [100, 3, 256, 256]."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, kernel_size=5)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        return self.pool(F.relu(self.conv2(x)))


class DepthRefiner(nn.Module):
    """duoke360 34764: a 1x1 conv built for 64 channels fed the 1-channel 1080x1920 depth map."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(64, 64, kernel_size=1)
        self.conv2 = nn.Conv2d(64, 1, kernel_size=1)

    def forward(self, x):
        return self.conv2(F.relu(self.conv1(x)))


class TwoConvs(nn.Module):
    """iiask 34l58747: conv1 outputs 32 channels, conv2 was written for 64."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3)
        self.conv2 = nn.Conv2d(64, 64, 3)

    def forward(self, x):
        return self.conv2(F.relu(self.conv1(x)))


class GrayResNet50(nn.Module):
    """pytorch-grad-cam #141: a torchvision ResNet-50 given a 1-channel 100x100 image."""

    def __init__(self):
        super().__init__()
        self.net = resnet50(weights=None)

    def forward(self, x):
        return self.net(x)


class GrayResNet18(nn.Module):
    """senet.pytorch #24 and vit-pytorch #54: grayscale [64, 1, 150, 150] into a ResNet stem."""

    def __init__(self):
        super().__init__()
        self.backbone = resnet18(weights=None)

    def forward(self, x):
        return self.backbone(x)


class WanPatchEmbed(nn.Module):
    """ComfyUI-WanVideoWrapper #521: the text-to-video patch embedding (in_dim 16) given the
    image-to-video latent of 36 channels (16 noise + 20 conditioning), [1, 36, 22, 60, 104]."""

    def __init__(self, in_dim=16, dim=1536):
        super().__init__()
        self.patch_embedding = nn.Conv3d(in_dim, dim, kernel_size=(1, 2, 2), stride=(1, 2, 2))

    def forward(self, x):
        x = self.patch_embedding(x)
        return x.flatten(2).transpose(1, 2)


class YoloStemGray(nn.Module):
    """ultralytics #948: a detector built from a yaml with ch=1 for grayscale, warmed up with
    the hard-coded 3-channel imgsz (1, 3, 640, 640)."""

    def __init__(self, ch=1):
        super().__init__()
        self.model = nn.Sequential(nn.Conv2d(ch, 16, 3, 2, 1), nn.SiLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.SiLU())

    def forward(self, x):
        return self.model(x)


BUGS = [
    dict(
        id="duoke360-34762-rgb",
        source="https://duoke360.com/post/34762",
        model="RgbIntoGray",
        inputs=("3x256x256",),
        layer="conv1",
        fixes=("in_channels=3", "Conv2d(3, 16", "1x256x256"),
    ),
    dict(
        id="duoke360-34764-depth",
        source="https://duoke360.com/post/34764",
        model="DepthRefiner",
        inputs=("1x1080x1920",),
        layer="conv1",
        fixes=("in_channels=1", "Conv2d(1, 64", "64x1080x1920"),
    ),
    dict(
        id="iiask-conv2-64",
        source="https://www.iiask.com/34l58747.html",
        model="TwoConvs",
        inputs=("1x28x28",),
        layer="conv2",
        fixes=("in_channels=32", "Conv2d(32, 64"),
    ),
    dict(
        id="grad-cam-141-gray",
        source="https://github.com/jacobgil/pytorch-grad-cam/issues/141",
        model="GrayResNet50",
        inputs=("1x100x100",),
        layer="net.conv1",
        fixes=("expand(", "repeat(", "3x100x100"),
        note="a pretrained RGB stem: repeat the gray channel, never widen conv1 first",
    ),
    dict(
        id="senet-24-gray",
        source="https://github.com/moskomule/senet.pytorch/issues/24",
        model="GrayResNet18",
        inputs=("1x150x150",),
        layer="backbone.conv1",
        fixes=("expand(", "repeat(", "3x150x150"),
    ),
    dict(
        id="vit-pytorch-54-gray",
        source="https://github.com/lucidrains/vit-pytorch/issues/54",
        model="GrayResNet18",
        inputs=("1x224x224",),
        layer="backbone.conv1",
        fixes=("expand(", "repeat(", "3x224x224"),
        note="the maintainer's answer: img.expand(-1, 3, -1, -1)",
    ),
    dict(
        id="wanvideo-521-i2v-latent",
        source="https://github.com/kijai/ComfyUI-WanVideoWrapper/issues/521",
        model="WanPatchEmbed",
        inputs=("36x22x60x104",),
        layer="patch_embedding",
        fixes=("in_dim=36", "in_channels=36", "16x22x60x104"),
        note="a model variant (image-to-video) is the cause: both readings are right",
    ),
    dict(
        id="ultralytics-948-warmup-3ch",
        source="https://github.com/ultralytics/ultralytics/issues/948",
        model="YoloStemGray",
        inputs=("3x640x640",),
        layer="model.0",
        fixes=("1x640x640", "ch=3", "in_channels=3"),
        note="the warmup's 3 is the bug (the thread changes it to 1); ch=3 is the other reading",
    ),
]
