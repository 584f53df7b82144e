import torch.nn as nn


class Chatty(nn.Module):
    def __init__(self):
        super().__init__()
        print("building Chatty")
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        print("forward of Chatty", x.shape)
        return self.fc(x)
