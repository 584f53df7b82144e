"""Inputs smaller than the model's downsampling allows: a kernel or pool window larger than the map."""

import torch
from torch import nn


class PatchDiscriminator(nn.Module):
    """SelectionGAN #5: a PatchGAN discriminator (4x4 kernels, three stride-2 stages) on a 16x16
    input: the last conv sees a 1x1 map padded to 3x3, and its kernel is 4x4."""

    def __init__(self, input_nc=3, ndf=64):
        super().__init__()
        layers = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for _ in range(1, 3):
            layers += [nn.Conv2d(ndf * mult, ndf * mult * 2, 4, 2, 1), nn.LeakyReLU(0.2, True)]
            mult *= 2
        layers += [nn.Conv2d(ndf * mult, ndf * mult * 2, 4, 1, 1), nn.LeakyReLU(0.2, True)]
        layers += [nn.Conv2d(ndf * mult * 2, 1, 4, 1, 1)]
        self.model = nn.Sequential(*layers)

    def forward(self, x):
        return self.model(x)


class VggDiscriminator128(nn.Module):
    """BasicSR #249: the VGG-style discriminator for 128x128 GT patches given the 49x74 LQ images."""

    def __init__(self, num_in_ch=3, nf=64):
        super().__init__()
        chans = (num_in_ch, nf, nf * 2, nf * 4, nf * 8, nf * 8)
        self.body = nn.Sequential(
            *[m for i in range(5) for m in (nn.Conv2d(chans[i], chans[i + 1], 4, 2, 1), nn.LeakyReLU(0.2, True))]
        )
        self.linear1 = nn.Linear(nf * 8 * 4 * 4, 100)
        self.linear2 = nn.Linear(100, 1)

    def forward(self, x):
        feat = self.body(x)
        feat = feat.view(feat.size(0), -1)
        return self.linear2(torch.relu(self.linear1(feat)))


class SinGanHead(nn.Module):
    """SinGAN #28: five unpadded 3x3 convs at the coarsest scale; an image scaled to 9x12 reaches
    the fifth conv as 1x4."""

    def __init__(self, nfc=32):
        super().__init__()
        chans = (3, nfc, nfc, nfc, nfc)
        self.body = nn.Sequential(*[nn.Conv2d(chans[i], chans[i + 1], 3, 1, 0) for i in range(4)])
        self.tail = nn.Conv2d(nfc, 3, 3, 1, 0)

    def forward(self, x):
        return torch.tanh(self.tail(self.body(x)))


class Stage(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride, 1)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class ImagenetResNetOnCifar(nn.Module):
    """Long-Tailed-Recognition.pytorch #29: an ImageNet ResNet tail (AvgPool2d(7, stride=1)) on
    CIFAR's 32x32 images: the map is 2048x1x1, the pool's output -5x-5."""

    def __init__(self, num_classes=10):
        super().__init__()
        chans = (3, 64, 256, 512, 1024, 2048)
        self.layers = nn.Sequential(*[Stage(chans[i], chans[i + 1], 2) for i in range(5)])
        self.avgpool = nn.AvgPool2d(7, stride=1)
        self.fc = nn.Linear(2048, num_classes)

    def forward(self, x):
        x = self.avgpool(self.layers(x))
        return self.fc(x.view(x.size(0), -1))


class MobileNetV2Cifar(nn.Module):
    """MetaPruning #22: MobileNetV2's AvgPool2d(input_size // 32) written for 224 (kernel 7) on
    CIFAR-10's 32x32: 1280x1x1 pooled by 7."""

    def __init__(self, num_classes=10, input_size=224):
        super().__init__()
        chans = (3, 32, 64, 160, 320, 1280)
        self.features = nn.Sequential(*[Stage(chans[i], chans[i + 1], 2) for i in range(5)])
        self.pool = nn.AvgPool2d(input_size // 32)
        self.classifier = nn.Linear(1280, num_classes)

    def forward(self, x):
        x = self.pool(self.features(x))
        return self.classifier(x.view(-1, 1280))


class SkNet(nn.Module):
    """SKNet #15: the first stage already has stride 2 (the stem too), so CIFAR's 32x32 ends at
    4x4 and the final AvgPool2d(8) has nothing to pool."""

    def __init__(self, num_classes=10):
        super().__init__()
        self.basic_conv = Stage(3, 64, 2)
        self.stage_1 = Stage(64, 256, 2)
        self.stage_2 = Stage(256, 512, 2)
        self.stage_3 = Stage(512, 1024, 1)
        self.pool = nn.AvgPool2d(8)
        self.classifier = nn.Linear(1024, num_classes)

    def forward(self, x):
        fea = self.stage_3(self.stage_2(self.stage_1(self.basic_conv(x))))
        fea = self.pool(fea)
        return self.classifier(torch.squeeze(fea))


class C3D(nn.Module):
    """mmaction2 #1629: C3D needs 16x112x112 clips; frames 8 pixels high reach pool4 as 8x1x14."""

    def __init__(self):
        super().__init__()
        chans = (3, 64, 128, 256, 512, 512)
        layers = []
        for i in range(5):
            layers.append(nn.Conv3d(chans[i], chans[i + 1], 3, padding=1))
            layers.append(nn.ReLU())
            layers.append(nn.MaxPool3d((1, 2, 2) if i == 0 else (2, 2, 2)))
        self.backbone = nn.Sequential(*layers)

    def forward(self, x):
        return self.backbone(x).flatten(1)


class LpipsAlex(nn.Module):
    """ER-NeRF #13: LPIPS's AlexNet slices on 24x24 NeRF patches: the second max pool gets
    192x2x2 and its 3x3 window gives 0x0."""

    def __init__(self):
        super().__init__()
        from torchvision.models import alexnet

        self.features = alexnet(weights=None).features

    def forward(self, x):
        return self.features(x)


BUGS = [
    dict(
        id="selectiongan-5-patch-16",
        source="https://github.com/Ha0Tang/SelectionGAN/issues/5",
        model="PatchDiscriminator",
        inputs=("3x16x16",),
        layer="model.8",
        fixes=("input:larger",),
    ),
    dict(
        id="basicsr-249-lq-49x74",
        source="https://github.com/XPixelGroup/BasicSR/issues/249",
        model="VggDiscriminator128",
        inputs=("3x49x74",),
        layer="linear1",
        fixes=("3x128x128",),
    ),
    dict(
        id="singan-28-coarsest",
        source="https://github.com/tamarott/SinGAN/issues/28",
        model="SinGanHead",
        inputs=("3x9x12",),
        layer="tail",
        fixes=("input:larger",),
    ),
    dict(
        id="long-tailed-29-avgpool7",
        source="https://github.com/KaihuaTang/Long-Tailed-Recognition.pytorch/issues/29",
        model="ImagenetResNetOnCifar",
        inputs=("3x32x32",),
        layer="avgpool",
        fixes=("AdaptiveAvgPool2d", "adaptive_avg_pool2d", "kernel_size=1", "AvgPool2d(1"),
    ),
    dict(
        id="metapruning-22-mobilenet-cifar",
        source="https://github.com/liuzechun/MetaPruning/issues/22",
        model="MobileNetV2Cifar",
        inputs=("3x32x32",),
        layer="pool",
        fixes=("input_size=32", "AdaptiveAvgPool2d", "adaptive_avg_pool2d", "3x224x224"),
    ),
    dict(
        id="sknet-15-cifar-stride",
        source="https://github.com/pppLang/SKNet/issues/15",
        model="SkNet",
        inputs=("3x32x32",),
        layer="pool",
        fixes=("AdaptiveAvgPool2d", "adaptive_avg_pool2d", "stride=1", "3x64x64", "AvgPool2d(4"),
        batch=2,
    ),
    dict(
        id="mmaction2-1629-c3d-height",
        source="https://github.com/open-mmlab/mmaction2/issues/1629",
        model="C3D",
        inputs=("3x16x8x112",),
        layer="backbone.11",
        fixes=("3x16x112x112", "input:larger"),
    ),
    dict(
        id="er-nerf-13-lpips-patch",
        source="https://github.com/Fictionarry/ER-NeRF/issues/13",
        model="LpipsAlex",
        inputs=("3x24x24",),
        layer="features.5",
        fixes=("input:larger",),
    ),
]
