"""Flattened feature maps into a Linear of the wrong width, or not flattened at all."""

import torch
import torch.nn.functional as F
from torch import nn


class MnistCNN(nn.Module):
    """androidkt: two padded convs and pools on 1x28x28 leave 32x7x7 = 1568, Linear(1050, 10)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Sequential(nn.Conv2d(1, 16, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
        self.conv2 = nn.Sequential(nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
        self.out = nn.Linear(1050, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = self.conv2(x)
        x = x.view(x.size(0), -1)
        return self.out(x)


class AgvQNet(nn.Module):
    """Multi-AGV Q-network: a 3x3 map of 256 channels flattened (2304) into Linear(256, 4)."""

    def __init__(self):
        super().__init__()
        self.conv = nn.Sequential(nn.Conv2d(3, 128, 3, padding=1), nn.ReLU(), nn.Conv2d(128, 256, 3, padding=1))
        self.fc = nn.Linear(256, 4)

    def forward(self, x):
        x = F.relu(self.conv(x))
        x = torch.flatten(x, 1)
        return self.fc(x)


class VggNoFlatten(nn.Module):
    """udacity #396: a VGG-style classifier fed the pooled [1, 512, 7, 7] map without flattening:
    mat1 is 3584x7 (1*512*7 rows) against 25088x4096."""

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for cout in (64, 128, 256, 512, 512):
            layers += [nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
            cin = cout
        self.features = nn.Sequential(*layers)
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(nn.Linear(25088, 4096), nn.ReLU(True), nn.Linear(4096, 102))

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        return self.classifier(x)


class LeNet(nn.Module):
    """pytorch #38469: LeNet written for 32x32 traced at 21x21: view(-1, 16*5*5) of 6x16x2x2."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = x.view(-1, 16 * 5 * 5)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class SmallDiscriminator(nn.Module):
    """pytorch-manifold-matching #7: four stride-2 stages end at 512x1x1 for the size the head was
    written for; at 64x64 they end at 512x4x4: mat1 64x8192 (512*4*4) against 512x10."""

    def __init__(self):
        super().__init__()
        chans = (3, 64, 128, 256, 512)
        self.main = nn.Sequential(
            *[m for i in range(4) for m in (nn.Conv2d(chans[i], chans[i + 1], 4, 2, 1), nn.LeakyReLU(0.2))],
        )
        self.linear = nn.Linear(512, 10)

    def forward(self, x):
        x = self.main(x)
        x = x.view(x.shape[0], -1)
        return self.linear(x)


class ArcFaceHead(nn.Module):
    """SimSwapHD #21: an ArcFace-style backbone (stride 16) with its head fixed at 512*7*7 = 25088,
    given 256x256 crops: 1x131072 (512*16*16) against 25088x512."""

    def __init__(self):
        super().__init__()
        chans = (3, 64, 128, 256, 512)
        self.body = nn.Sequential(
            *[m for i in range(4) for m in (nn.Conv2d(chans[i], chans[i + 1], 3, 2, 1), nn.BatchNorm2d(chans[i + 1]))]
        )
        self.fc = nn.Linear(512 * 7 * 7, 512)

    def forward(self, x):
        x = self.body(x)
        x = x.view(x.size(0), -1)
        return self.fc(x)


class GeekyCNN(nn.Module):
    """geekycodes: a conv layer keeps 28x28 (padding 1), so flatten gives 128*28*28 = 100352,
    and the dense layer was sized for the 784 pixels of the image."""

    def __init__(self):
        super().__init__()
        self.conv_layer = nn.Sequential(nn.Conv2d(1, 128, 3, padding=1), nn.ReLU())
        self.dense_layer = nn.Linear(784, 128)
        self.head = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv_layer(x)
        x = torch.flatten(x, 1)
        return self.head(F.relu(self.dense_layer(x)))


BUGS = [
    dict(
        id="androidkt-mnist-1050",
        source="https://androidkt.com/fix-runtimeerror-mat1-and-mat2-shapes-cannot-be-multiplied/",
        model="MnistCNN",
        inputs=("1x28x28",),
        layer="out",
        fixes=("in_features=1568", "Linear(1568", "Linear(32 * 7 * 7"),
    ),
    dict(
        id="agv-qnet-2304",
        source="https://github.com/stoneMan349/Reinforcement-learning-for-multi-AGV-pathfinding/issues/2",
        model="AgvQNet",
        inputs=("3x3x3",),
        layer="fc",
        fixes=("in_features=2304", "Linear(2304", "Linear(256 * 3 * 3", "AdaptiveAvgPool2d((1, 1))"),
        note="the thread leaves it open: in_features for the 3x3 map, or the global pool in_features=256 implies",
    ),
    dict(
        id="udacity-396-no-flatten",
        source="https://github.com/udacity/deep-learning-v2-pytorch/issues/396",
        model="VggNoFlatten",
        inputs=("3x400x444",),
        layer="classifier.0",
        fixes=("flatten", "Flatten("),
    ),
    dict(
        id="pytorch-38469-lenet-21",
        source="https://github.com/pytorch/pytorch/issues/38469",
        model="LeNet",
        inputs=("3x21x21",),
        layer="view",
        fixes=("3x32x32", "x.size(0), -1", "x.shape[0], -1", "flatten"),
        batch=6,
        note="the input is smaller than the net was written for; view(-1, 400) then folds samples",
    ),
    dict(
        id="manifold-matching-7-64px",
        source="https://github.com/dzld00/pytorch-manifold-matching/issues/7",
        model="SmallDiscriminator",
        inputs=("3x64x64",),
        layer="linear",
        fixes=("3x16x16", "AdaptiveAvgPool2d", "adaptive_avg_pool2d", "in_features=8192", "Linear(8192"),
    ),
    dict(
        id="simswaphd-21-arcface-256",
        source="https://github.com/a312863063/SimSwapHD/issues/21",
        model="ArcFaceHead",
        inputs=("3x256x256",),
        layer="fc",
        fixes=("3x112x112", "AdaptiveAvgPool2d((7, 7))", "adaptive_avg_pool2d"),
    ),
    dict(
        id="geekycodes-100352",
        source="https://geekycodes.in/machine-learning/pytorch-cnn-shape-mismatch-error-fixing-mat1-and-mat2-shapes-cannot-be-multiplied/",
        model="GeekyCNN",
        inputs=("1x28x28",),
        layer="dense_layer",
        fixes=("in_features=100352", "Linear(100352", "128 * 28 * 28"),
    ),
]
