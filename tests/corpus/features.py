"""Feature widths that do not chain: a Linear, LSTM or GRU built for another width than it gets."""

import torch
from torch import nn


class EncoderImagePrecomp(nn.Module):
    """vsepp #49: precomputed region features of 2048 (36 regions) into fc = Linear(img_dim=4096,
    1024): mat1 4608x2048 (128*36 rows) against 4096x1024."""

    def __init__(self, img_dim=4096, embed_size=1024):
        super().__init__()
        self.fc = nn.Linear(img_dim, embed_size)

    def forward(self, images):
        features = self.fc(images)
        return features.mean(dim=1)


class AnomalyDetector(nn.Module):
    """AnomalyDetectionCVPR2018 #230: ResNet features (2048) given to the C3D-sized head (4096)."""

    def __init__(self, input_dim=4096):
        super().__init__()
        self.fc1 = nn.Linear(input_dim, 512)
        self.relu1 = nn.ReLU()
        self.fc2 = nn.Linear(512, 32)
        self.fc3 = nn.Linear(32, 1)

    def forward(self, x):
        x = self.relu1(self.fc1(x))
        return torch.sigmoid(self.fc3(self.fc2(x)))


class SqlNetEncoder(nn.Module):
    """SQLNet #59: 100-d word embeddings into an LSTM built for 300-d GloVe."""

    def __init__(self, n_words=5000, n_h=100):
        super().__init__()
        self.embed = nn.Embedding(n_words, 100)
        self.lstm = nn.LSTM(input_size=300, hidden_size=n_h // 2, num_layers=2, batch_first=True, bidirectional=True)

    def forward(self, tokens):
        out, _ = self.lstm(self.embed(tokens))
        return out


class W2NerEncoder(nn.Module):
    """W2NER #23: bert-base hidden states (768) into an LSTM configured for bert-large (1024)."""

    def __init__(self, bert_hid_size=1024, lstm_hid_size=512):
        super().__init__()
        self.encoder = nn.LSTM(bert_hid_size, lstm_hid_size // 2, num_layers=1, batch_first=True, bidirectional=True)

    def forward(self, bert_embs):
        out, _ = self.encoder(bert_embs)
        return out


class TinyLstm(nn.Module):
    """pytorch #5860: nn.LSTM(3, 2) given input of shape (6, 4, 5)."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(3, 2)

    def forward(self, x):
        out, _ = self.lstm(x)
        return out


class BahdanauDecoder(nn.Module):
    """practical-pytorch #133: the GRU is built for hidden_size inputs but gets the concatenation of
    the embedded word and the attention context (2 * hidden_size)."""

    def __init__(self, hidden_size=256, output_size=1000):
        super().__init__()
        self.embedding = nn.Embedding(output_size, hidden_size)
        self.attn = nn.Linear(hidden_size, hidden_size)
        self.gru = nn.GRU(hidden_size, hidden_size, 1)
        self.out = nn.Linear(hidden_size, output_size)

    def forward(self, word_input, encoder_outputs):
        word_embedded = self.embedding(word_input).view(1, word_input.size(0), -1)  # [B, 1] -> [1, B, H]
        context = self.attn(encoder_outputs).mean(dim=1).unsqueeze(0)  # [1, B, H]
        rnn_input = torch.cat((word_embedded, context), 2)
        output, _ = self.gru(rnn_input)
        return self.out(output.squeeze(0))


class NodeMlp(nn.Module):
    """cell-tracker-gnn #8: node features of 12 into an MLP whose config says 128:
    mat1 30812x12 against 128x64."""

    def __init__(self, in_channels=128, hidden=64):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(in_channels, hidden), nn.ReLU(), nn.Linear(hidden, 2))

    def forward(self, x):
        return self.mlp(x)


class RouteAttention(nn.Module):
    """attention-learn-to-route #23: W_out sized with key_dim instead of val_dim, so the output
    projection is mm([6 x 12], [30 x 12]) when key_dim is passed."""

    def __init__(self, n_heads=6, input_dim=5, embed_dim=12, key_dim=5):
        super().__init__()
        self.n_heads, self.embed_dim = n_heads, embed_dim
        self.val_dim = embed_dim // n_heads
        self.key_dim = key_dim
        self.W_query = nn.Parameter(torch.randn(n_heads, input_dim, key_dim))
        self.W_key = nn.Parameter(torch.randn(n_heads, input_dim, key_dim))
        self.W_val = nn.Parameter(torch.randn(n_heads, input_dim, self.val_dim))
        self.W_out = nn.Parameter(torch.randn(n_heads, key_dim, embed_dim))

    def forward(self, q, h):
        batch_size, graph_size, input_dim = h.size()
        n_query = q.size(1)
        hflat = h.contiguous().view(-1, input_dim)
        qflat = q.contiguous().view(-1, input_dim)
        Q = torch.matmul(qflat, self.W_query).view(self.n_heads, batch_size, n_query, -1)
        K = torch.matmul(hflat, self.W_key).view(self.n_heads, batch_size, graph_size, -1)
        V = torch.matmul(hflat, self.W_val).view(self.n_heads, batch_size, graph_size, -1)
        attn = torch.softmax(torch.matmul(Q, K.transpose(2, 3)), dim=-1)
        heads = torch.matmul(attn, V)
        out = torch.mm(
            heads.permute(1, 2, 0, 3).contiguous().view(-1, self.n_heads * self.val_dim),
            self.W_out.view(-1, self.embed_dim),
        )
        return out.view(batch_size, n_query, self.embed_dim)


class GeneralAttn(nn.Module):
    """practical-pytorch #135: the 'general' attention score hidden.mm(energy) with both [1, 256]:
    the energy needs a transpose."""

    def __init__(self, hidden_size=256):
        super().__init__()
        self.attn = nn.Linear(hidden_size, hidden_size)

    def forward(self, hidden, encoder_output):
        energy = self.attn(encoder_output)
        return hidden.mm(energy)


BUGS = [
    dict(
        id="vsepp-49-precomp-2048",
        source="https://github.com/fartashf/vsepp/issues/49",
        model="EncoderImagePrecomp",
        inputs=("36x2048",),
        layer="fc",
        fixes=("img_dim=2048", "in_features=2048", "Linear(2048", "36x4096"),
    ),
    dict(
        id="anomaly-230-resnet-features",
        source="https://github.com/ekosman/AnomalyDetectionCVPR2018-Pytorch/issues/230",
        model="AnomalyDetector",
        inputs=("32x2048",),
        layer="fc1",
        fixes=("input_dim=2048", "in_features=2048", "Linear(2048", "32x4096"),
    ),
    dict(
        id="sqlnet-59-embed-100",
        source="https://github.com/xiaojunxu/SQLNet/issues/59",
        model="SqlNetEncoder",
        inputs=("20:long",),
        layer="lstm",
        fixes=("input_size=100", "Embedding(n_words, 300", "embedding_dim=300"),
    ),
    dict(
        id="w2ner-23-bert-base",
        source="https://github.com/ljynlp/W2NER/issues/23",
        model="W2NerEncoder",
        inputs=("50x768",),
        layer="encoder",
        fixes=("bert_hid_size=768", "input_size=768", "LSTM(768", "50x1024"),
    ),
    dict(
        id="pytorch-5860-lstm-5",
        source="https://github.com/pytorch/pytorch/issues/5860",
        model="TinyLstm",
        inputs=("4x5",),
        layer="lstm",
        fixes=("input_size=5", "LSTM(5, 2", "4x3"),
        batch=6,
    ),
    dict(
        id="practical-pytorch-133-gru-cat",
        source="https://github.com/spro/practical-pytorch/issues/133",
        model="BahdanauDecoder",
        inputs=("1:long", "10x256"),
        layer="gru",
        fixes=("input_size=512", "GRU(512", "hidden_size * 2", "GRU(hidden_size * 2"),
    ),
    dict(
        id="cell-tracker-8-node-12",
        source="https://github.com/talbenha/cell-tracker-gnn/issues/8",
        model="NodeMlp",
        inputs=("12",),
        layer="mlp.0",
        fixes=("in_channels=12", "in_features=12", "Linear(12", "128"),
        batch=30812,
    ),
    dict(
        id="route-attention-23-w-out",
        source="https://github.com/wouterkool/attention-learn-to-route/issues/23",
        model="RouteAttention",
        inputs=("2x5", "4x5"),
        layer="mm",
        fixes=("val_dim",),
        batch=3,
        note="the parameter's shape is the bug: a fix names val_dim or is not right",
    ),
    dict(
        id="practical-pytorch-135-mm-transpose",
        source="https://github.com/spro/practical-pytorch/issues/135",
        model="GeneralAttn",
        inputs=("256", "256"),
        layer="mm",
        fixes=("transpose(0, 1)", ".t()", ".T"),
    ),
]
