"""Models shaped as PyTorch's word_language_model example: tensors are (sequence, batch)."""

from __future__ import annotations

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
