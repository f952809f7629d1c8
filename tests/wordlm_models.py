"""Models shaped as PyTorch's word_language_model example: tensors are (sequence, batch)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class RNNModel(nn.Module):
    """Embedding, a recurrent stack with batch_first=False, and a decoder to word scores."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5):
        super().__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        self.decoder = nn.Linear(nhid, ntoken)
        self.rnn_type, self.nhid, self.nlayers = rnn_type, nhid, nlayers

    def forward(self, input, hidden):
        emb = self.drop(self.encoder(input))
        output, hidden = self.rnn(emb, hidden)
        output = self.drop(output)
        decoded = self.decoder(output).view(-1, self.ntoken)
        return F.log_softmax(decoded, dim=1), hidden

    def init_hidden(self, bsz):
        weight = next(self.parameters())
        zeros = weight.new_zeros(self.nlayers, bsz, self.nhid)
        return (zeros, zeros.clone()) if self.rnn_type == "LSTM" else zeros


class WordLSTM(RNNModel):
    """The example's RNNModel from a fresh state: hidden None is init_hidden's zeros."""

    def __init__(self, rnn_type="LSTM", ntoken=50, ninp=16, nhid=24, nlayers=2, dropout=0.2):
        super().__init__(rnn_type, ntoken, ninp, nhid, nlayers, dropout)

    def forward(self, input):
        return super().forward(input, None)[0]


class PositionalEncoding(nn.Module):
    """A fixed sine and cosine table, (max_len, 1, d_model), added to the first positions."""

    def __init__(self, d_model, dropout=0.1, max_len=5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(0, max_len, dtype=torch.float).unsqueeze(1)
        rates = torch.exp(torch.arange(0, d_model, 2).float() * (-math.log(10000.0) / d_model))
        table = torch.zeros(max_len, d_model)
        table[:, 0::2] = torch.sin(position * rates)
        table[:, 1::2] = torch.cos(position * rates)
        self.register_buffer("pe", table.unsqueeze(0).transpose(0, 1))

    def forward(self, x):
        x = x + self.pe[: x.size(0), :]
        return self.dropout(x)


class TransformerModel(nn.Transformer):
    """The encoder of nn.Transformer (its decoder replaced by a Linear to word scores) over
    scaled embeddings with position encoding, each position seeing only the ones before it.
    The example caches its mask on the module and makes it with len(src) and torch.ones,
    which torch.fx cannot trace with a traced size; here the mask is made in each call with
    src.new_ones, of the same values (0 up to the diagonal, -inf above it)."""

    def __init__(self, ntoken=50, ninp=16, nhead=2, nhid=32, nlayers=2, dropout=0.2):
        super().__init__(
            d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers
        )
        self.pos_encoder = PositionalEncoding(ninp, dropout)
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.ninp = ninp
        self.decoder = nn.Linear(ninp, ntoken)

    def forward(self, src, has_mask=True):
        length = src.size(0)
        ones = src.new_ones(length, length, dtype=torch.float)
        mask = torch.log(torch.tril(ones)) if has_mask else None
        src = self.input_emb(src) * math.sqrt(self.ninp)
        src = self.pos_encoder(src)
        output = self.encoder(src, mask=mask)
        output = self.decoder(output)
        return F.log_softmax(output, dim=-1)
