"""Models that run and compute the wrong thing: softmax over the batch, losses broadcast to [B, B]."""

import torch
import torch.nn.functional as F
from torch import nn


class PolicyNet(nn.Module):
    """DeepReinforcementLearningInAction #32: nn.Softmax(dim=0) at the end of the policy: right
    for one state, over the batch for a batch of states."""

    def __init__(self, l1=4, l2=150, l3=2):
        super().__init__()
        self.model = nn.Sequential(nn.Linear(l1, l2), nn.LeakyReLU(), nn.Linear(l2, l3), nn.Softmax(dim=0))

    def forward(self, x):
        return self.model(x)


class EuclidesClassifier(nn.Module):
    """euclidesdb #2: the example models softmax with dim=0 over [batch, classes] logits."""

    def __init__(self, num_classes=1000):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 32, 3, 2, 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.fc = nn.Linear(32, num_classes)

    def forward(self, x):
        x = self.fc(self.features(x).flatten(1))
        return F.softmax(x, dim=0)


class FashionPredictor(nn.Module):
    """pytorch-deep-learning #163: predictions made with torch.softmax(y_logit, dim=0) on [32, 10]
    logits; the argmax then picks classes from probabilities spread over the batch."""

    def __init__(self):
        super().__init__()
        self.block = nn.Sequential(nn.Flatten(), nn.Linear(784, 10), nn.ReLU(), nn.Linear(10, 10))

    def forward(self, x):
        y_logit = self.block(x)
        return torch.softmax(y_logit, dim=0).argmax(dim=1)


class InitialCondition(nn.Module):
    """NeuralSolvers #20: the PINN's prediction is [batch, 1], the initial condition u0(x) is
    [batch]: mse_loss broadcasts them to [batch, batch] (UserWarning: Using a target size)."""

    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(3, 64), nn.Tanh(), nn.Linear(64, 1))

    def forward(self, x):
        u0 = torch.sin(x[:, 0])
        prediction = self.net(x)
        return F.mse_loss(prediction, u0)


class RegressionHead(nn.Module):
    """FARM #229: the logits were squeezed to [32] while the labels stay [32, 1]."""

    def __init__(self, dim=768):
        super().__init__()
        self.feed_forward = nn.Linear(dim, 1)

    def forward(self, pooled, labels):
        logits = self.feed_forward(pooled).squeeze(-1)
        return F.mse_loss(logits, labels)


class SacCritic(nn.Module):
    """reinforcement-learning-lab #1: the critic gives [64, 1], the TD target [64, 4] because
    log_prob was not summed over the action dims."""

    def __init__(self, state_dim=24, action_dim=4):
        super().__init__()
        self.critic = nn.Sequential(nn.Linear(state_dim + action_dim, 256), nn.ReLU(), nn.Linear(256, 1))

    def forward(self, states, actions, rewards, log_prob):
        td_target = rewards - 0.2 * log_prob
        q = self.critic(torch.cat([states, actions], dim=1))
        return F.mse_loss(q, td_target.detach())


class SelfAttn(nn.Module):
    """Self-Attention-GAN #11: out = bmm(proj_value, attention.permute(0, 1, 2)), a permute that
    changes nothing where (0, 2, 1) was meant. The attention map is N x N, so every shape fits."""

    def __init__(self, in_dim=64):
        super().__init__()
        self.query_conv = nn.Conv2d(in_dim, in_dim // 8, 1)
        self.key_conv = nn.Conv2d(in_dim, in_dim // 8, 1)
        self.value_conv = nn.Conv2d(in_dim, in_dim, 1)

    def forward(self, x):
        b, c, w, h = x.size()
        proj_query = self.query_conv(x).view(b, -1, w * h).permute(0, 2, 1)
        proj_key = self.key_conv(x).view(b, -1, w * h)
        attention = torch.softmax(torch.bmm(proj_query, proj_key), dim=-1)
        proj_value = self.value_conv(x).view(b, -1, w * h)
        out = torch.bmm(proj_value, attention.permute(0, 1, 2))
        return out.view(b, c, w, h) + x


class XlstmRegressor(nn.Module):
    """xlstm #4: the prediction takes every time step of the first sample (out[0]), [10, 1],
    against the target [1, 1]: mse_loss broadcasts them."""

    def __init__(self, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(1, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, seq, y_true):
        out, _ = self.lstm(seq)
        y_pred = self.fc(out[0])
        return F.mse_loss(y_pred, y_true)


BUGS = [
    dict(
        id="drl-in-action-32-softmax-0",
        source="https://github.com/DeepReinforcementLearning/DeepReinforcementLearningInAction/issues/32",
        model="PolicyNet",
        inputs=("4",),
        layer="model.3",
        fixes=("dim=1", "dim=-1"),
        kind="silent",
        batch=8,
    ),
    dict(
        id="euclidesdb-2-softmax-0",
        source="https://github.com/perone/euclidesdb/issues/2",
        model="EuclidesClassifier",
        inputs=("3x64x64",),
        layer="softmax",
        fixes=("dim=1", "dim=-1"),
        kind="silent",
        batch=4,
    ),
    dict(
        id="mrdbourke-163-softmax-0",
        source="https://github.com/mrdbourke/pytorch-deep-learning/issues/163",
        model="FashionPredictor",
        inputs=("1x28x28",),
        layer="softmax",
        fixes=("dim=1", "dim=-1"),
        kind="silent",
        batch=32,
    ),
    dict(
        id="neuralsolvers-20-target-b",
        source="https://github.com/Photon-AI-Research/NeuralSolvers/issues/20",
        model="InitialCondition",
        inputs=("3",),
        layer="mse_loss",
        fixes=("reshape(-1)", "squeeze(", "view(-1)", "unsqueeze(", "[:, None]", "[:, 0]"),
        kind="silent",
        batch=16,
    ),
    dict(
        id="farm-229-squeezed-logits",
        source="https://github.com/deepset-ai/FARM/issues/229",
        model="RegressionHead",
        inputs=("768", "1"),
        layer="mse_loss",
        fixes=("squeeze(", "unsqueeze(", "view(-1)", "reshape(-1)", "[:, None]", "[:, 0]"),
        kind="silent",
        batch=32,
    ),
    dict(
        id="rl-lab-1-td-target-width",
        source="https://github.com/sunwuzhou03/reinforcement-learning-lab/issues/1",
        model="SacCritic",
        inputs=("24", "4", "1", "4"),
        layer="mse_loss",
        fixes=("sum(", "keepdim=True"),
        kind="silent",
        batch=64,
    ),
    dict(
        id="sagan-11-permute-noop",
        source="https://github.com/heykeetae/Self-Attention-GAN/issues/11",
        model="SelfAttn",
        inputs=("64x8x8",),
        layer="bmm",
        fixes=("permute(0, 2, 1)",),
        kind="silent",
        batch=2,
        note="square attention: no shape can tell a transpose from none",
    ),
    dict(
        id="xlstm-4-first-sample",
        source="https://github.com/andrewgcodes/xlstm/issues/4",
        model="XlstmRegressor",
        inputs=("10x1", "1"),
        layer="mse_loss",
        fixes=("[:, -1]", "y_pred[0]", "[-1]"),
        kind="silent",
    ),
]
