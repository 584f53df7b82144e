"""Tensors of the wrong rank: 4-D into Conv3d, 5-D into Conv2d, 3-D into BatchNorm2d, flat images."""

import torch.nn.functional as F
from torch import nn


class VideoStem(nn.Module):
    """deep-person-reid #256: torchvision's r3d stem (Conv3d 3->64, kernel (3, 7, 7)) given the
    frames of the tracklets flattened into the batch, [300, 3, 128, 64]."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(
            nn.Conv3d(3, 64, kernel_size=(3, 7, 7), stride=(1, 2, 2), padding=(1, 3, 3), bias=False),
            nn.BatchNorm3d(64),
            nn.ReLU(inplace=True),
        )
        self.pool = nn.AdaptiveAvgPool3d(1)
        self.fc = nn.Linear(64, 625)

    def forward(self, x):
        x = self.pool(self.stem(x)).flatten(1)
        return self.fc(x)


class Vgg16Conv3d(nn.Module):
    """msyim/VGG16 #1: a VGG for images written with Conv3d and BatchNorm3d."""

    def __init__(self):
        super().__init__()
        self.layer1 = nn.Sequential(nn.Conv3d(3, 64, kernel_size=3, padding=1), nn.BatchNorm3d(64), nn.ReLU())
        self.layer2 = nn.Sequential(nn.Conv3d(64, 64, kernel_size=3, padding=1), nn.BatchNorm3d(64), nn.ReLU())
        self.fc = nn.Linear(64, 1000)

    def forward(self, x):
        x = self.layer2(self.layer1(x))
        return self.fc(x.mean(dim=(2, 3)))


class SeaNet(nn.Module):
    """SEANet_torch #4: torchsummary-style (8, 3, 512, 512) given as the per-sample input, so the
    VGG encoder gets [2, 8, 3, 512, 512]."""

    def __init__(self, num_classes=1):
        super().__init__()
        self.conv1_1 = nn.Conv2d(3, 64, 3, padding=1)
        self.conv1_2 = nn.Conv2d(64, 64, 3, padding=1)
        self.head = nn.Conv2d(64, num_classes, 1)

    def forward(self, x):
        x = F.relu(self.conv1_1(x))
        x = F.relu(self.conv1_2(x))
        return self.head(x)


class HeightAttention(nn.Module):
    """HANet #8: a Conv1d followed by Norm2d (BatchNorm2d): the conv's output is 3-D."""

    def __init__(self, in_channel=256, mid=32):
        super().__init__()
        self.attention_first = nn.Sequential(
            nn.Conv1d(in_channel, mid, kernel_size=1, bias=False), nn.BatchNorm2d(mid), nn.ReLU(inplace=True)
        )

    def forward(self, x):
        x = x.mean(dim=3)  # pool the width: [B, C, H]
        return self.attention_first(x)


class MnistConvNet(nn.Module):
    """hughperkins/pytorch #39: MNIST batches kept flat [32, 784] into a conv net."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
        self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
        self.fc1 = nn.Linear(320, 50)
        self.fc2 = nn.Linear(50, 10)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 2))
        x = F.relu(F.max_pool2d(self.conv2(x), 2))
        x = x.view(-1, 320)
        return self.fc2(F.relu(self.fc1(x)))


class BinaryClassifier(nn.Module):
    """torchinfo #18: summary(model, [(1, 13)]) makes the input [B, 1, 13], so BatchNorm1d reads
    the 1 as its channels: running_mean should contain 1 elements not 32."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(13, 32)
        self.fc2 = nn.Linear(32, 32)
        self.fc3 = nn.Linear(32, 1)
        self.dropout = nn.Dropout(p=0.2)
        self.bn1 = nn.BatchNorm1d(32)
        self.bn2 = nn.BatchNorm1d(32)

    def forward(self, input):
        x = F.relu(self.fc1(input))
        x = self.bn1(x)
        x = F.relu(self.fc2(x))
        x = self.bn2(x)
        return self.fc3(self.dropout(x))


BUGS = [
    dict(
        id="deep-person-reid-256-r3d-4d",
        source="https://github.com/KaiyangZhou/deep-person-reid/issues/256",
        model="VideoStem",
        inputs=("3x128x64",),
        layer="stem.0",
        fixes=("re:3x\\d+x128x64", "unsqueeze(2)"),
        batch=4,
    ),
    dict(
        id="msyim-vgg16-1-conv3d",
        source="https://github.com/msyim/VGG16/issues/1",
        model="Vgg16Conv3d",
        inputs=("3x224x224",),
        layer="layer1.0",
        fixes=("Conv2d",),
        batch=2,
    ),
    dict(
        id="seanet-4-summary-5d",
        source="https://github.com/long123524/SEANet_torch/issues/4",
        model="SeaNet",
        inputs=("8x3x512x512",),
        layer="conv1_1",
        fixes=("3x512x512",),
        batch=2,
    ),
    dict(
        id="hanet-8-bn2d-after-conv1d",
        source="https://github.com/sunghac/HANet/issues/8",
        model="HeightAttention",
        inputs=("256x32x64",),
        layer="attention_first.1",
        fixes=("BatchNorm1d",),
        batch=2,
    ),
    dict(
        id="hughperkins-39-flat-mnist",
        source="https://github.com/hughperkins/pytorch/issues/39",
        model="MnistConvNet",
        inputs=("784",),
        layer="conv1",
        fixes=("1x28x28", "view(-1, 1, 28, 28)", "unflatten"),
        batch=32,
    ),
    dict(
        id="torchinfo-18-extra-dim",
        source="https://github.com/TylerYep/torchinfo/issues/18",
        model="BinaryClassifier",
        inputs=("1x13",),
        layer="bn1",
        fixes=("--input 13", "input 13"),
        batch=64,
        note="the input spec had the 1 of the batch in it",
    ),
]
