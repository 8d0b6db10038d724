"""Encoders: interface, hidden states, embedding hook, pooling over real tokens only."""

from __future__ import annotations

import pytest
import torch

from skinterp.nn import CNNEncoder, LSTMEncoder, TransformerEncoder, load_transformer, masked_pool


def _batch():
    ids = torch.tensor([[4, 5, 6, 7], [4, 5, 0, 0]])
    mask = (ids != 0).long()
    return ids, mask


@pytest.mark.parametrize(
    "enc",
    [
        CNNEncoder(20, 8, num_filters=3, filter_sizes=(2, 3, 5)),
        LSTMEncoder(20, 8, hidden_size=4, num_layers=2, bidirectional=True),
        LSTMEncoder(20, 8, hidden_size=4, bidirectional=False, pooling="mean"),
    ],
)
def test_word_vector_encoders(enc):
    ids, mask = _batch()
    out = enc(ids, mask)
    assert out.pooled.shape == (2, enc.output_dim)
    assert len(out.hidden_states) == len(enc.hidden_dims)
    for h, d in zip(out.hidden_states, enc.hidden_dims, strict=True):
        assert h.shape == (2, 4, d)  # one state per token in every layer
    # padding does not change the representation of the short text
    out_short = enc(ids[1:, :2], mask[1:, :2])
    torch.testing.assert_close(out.pooled[1], out_short.pooled[0], rtol=1e-5, atol=1e-5)


def test_embedding_hook_scales_embeddings():
    enc = CNNEncoder(20, 8, num_filters=3)
    ids, mask = _batch()
    zeroed = enc(ids, mask, embedding_hook=lambda e: e * 0)
    assert torch.count_nonzero(zeroed.embeddings) == 0
    assert not torch.equal(zeroed.pooled, enc(ids, mask).pooled)


def test_masked_pool():
    states = torch.tensor([[[1.0], [5.0], [100.0]]])
    mask = torch.tensor([[1, 1, 0]])
    assert masked_pool(states, mask, "max").item() == 5.0
    assert masked_pool(states, mask, "mean").item() == 3.0
    assert masked_pool(states, mask, "cls").item() == 1.0
    with pytest.raises(ValueError, match="unknown pooling"):
        masked_pool(states, mask, "sum")


def test_frozen_embeddings_and_shape_check():
    w = torch.randn(20, 8)
    enc = CNNEncoder(20, embeddings=w, freeze_embeddings=True)
    assert not enc.embedding.weight.requires_grad and enc.embedding_dim == 8
    with pytest.raises(ValueError, match="expected \\(21, dim\\)"):
        CNNEncoder(21, embeddings=w)


def test_transformer_encoder_hook_and_states(bert_config):
    enc = TransformerEncoder(load_transformer(bert_config)).eval()
    ids = torch.tensor([[2, 6, 7, 3, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 0]])
    out = enc(ids, mask)
    assert len(out.hidden_states) == bert_config.num_hidden_layers + 1
    torch.testing.assert_close(out.hidden_states[0], out.embeddings)
    masked = enc(ids, mask, embedding_hook=lambda e: e * 0)
    assert torch.count_nonzero(masked.hidden_states[0]) == 0  # the hook acts on the block output
    # the hook is removed after the call
    again = enc(ids, mask)
    torch.testing.assert_close(again.pooled, out.pooled)


def test_load_transformer_kwargs_and_errors(bert_config):
    model = load_transformer(bert_config, num_hidden_layers=1)
    assert model.config.num_hidden_layers == 1
    with pytest.raises(TypeError, match="pretrained must be"):
        load_transformer(42)
    with pytest.raises(ValueError, match="pooling"):
        TransformerEncoder(model, pooling="max")


def test_lstm_equals_a_packed_bidirectional_lstm_with_the_same_weights():
    """The unpacked LSTM (reversal within each length) is exactly the packed one."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    torch.manual_seed(0)
    enc = LSTMEncoder(100, embedding_dim=8, hidden_size=5, num_layers=2)
    ids = torch.randint(1, 100, (4, 7))
    lens = torch.tensor([7, 3, 5, 1])
    am = (torch.arange(7)[None] < lens[:, None]).long()
    out = enc(ids, am)
    x = enc.embedding(ids)
    for i in range(2):
        ref = torch.nn.LSTM(x.shape[-1], 5, batch_first=True, bidirectional=True)
        with torch.no_grad():
            for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(ref, f"{n}_l0").copy_(getattr(enc.layers[i], f"{n}_l0"))
                getattr(ref, f"{n}_l0_reverse").copy_(getattr(enc.reverse_layers[i], f"{n}_l0"))
        packed = pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
        x, _ = pad_packed_sequence(ref(packed)[0], batch_first=True, total_length=7)
        torch.testing.assert_close(out.hidden_states[i + 1], x)
    assert torch.all(out.hidden_states[-1][1, 3:] == 0)  # padding states are zero
