import torch
import torch.nn as nn


class Head(nn.Module):
    def __init__(self, num_classes=10):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 32 * 32, num_classes)  # size-locked: SC103, ignored in the config

    def forward(self, x):
        return self.fc(torch.flatten(self.conv(x), 1))


class Broken(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 32 * 32, 10)

    def forward(self, x):
        return self.fc(self.conv(x))


class Quiet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.fc = nn.Linear(8 * 32 * 32, 10)  # shapecheck: ignore[SC103]

    def forward(self, x):
        x = self.conv(x).view(-1, 8 * 32 * 32)  # shapecheck: ignore[SC106]
        return self.fc(x)
