"""Model code that asks for pretrained weights three ways; shapecheck must stay offline."""

import torch.nn as nn
from torch.hub import load_state_dict_from_url
from torchvision.models import resnet18, vgg11


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.backbone = resnet18(weights="DEFAULT")
        self.other = vgg11(pretrained=True)
        state = load_state_dict_from_url("https://example.invalid/head.pth")
        self.head = nn.Linear(1000, 10)
        self.head.load_state_dict(state)

    def forward(self, x):
        return self.head(self.backbone(x))
