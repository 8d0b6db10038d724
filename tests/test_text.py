"""Word segmentation, tokenizers, dataset and collate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from skinterp.text import (
    BucketBatchSampler,
    Collator,
    EncodedText,
    HFTokenizer,
    TextDataset,
    Tokenizer,
    WordTokenizer,
    check_texts,
    segment_words,
)


@pytest.mark.parametrize(
    "text, words",
    [
        (
            "It's a well-made film, isn't it?",
            ["It's", "a", "well-made", "film", ",", "isn't", "it", "?"],
        ),
        ("  spaced   out  ", ["spaced", "out"]),
        ("", []),
        ("naïve café 2024!!", ["naïve", "café", "2024", "!", "!"]),
        ("שלום עולם", ["שלום", "עולם"]),
        ("fun 😀 times", ["fun", "😀", "times"]),
    ],
)
def test_segmentation_rule(text, words):
    seg = segment_words(text)
    assert [w.text for w in seg] == words
    # offsets map every word back to the raw string
    assert all(text[w.start : w.end] == w.text for w in seg)


def test_segment_words_rejects_non_str():
    with pytest.raises(TypeError, match="expects a str"):
        segment_words(3)


def test_word_tokenizer_vocab_options():
    texts = ["The film the FILM", "a film", "rare"]
    tok = WordTokenizer(min_freq=2).fit(texts)
    assert tok.words_ == ["film", "the"]  # by frequency, then alphabetically
    tok = WordTokenizer(lowercase=False).fit(texts)
    assert "FILM" in tok.words_ and "The" in tok.words_
    tok = WordTokenizer(max_vocab=1).fit(texts)
    assert tok.words_ == ["film"]
    enc = tok.encode(["film rare"])[0]
    assert enc.input_ids.tolist() == [tok.stoi_["film"], tok.unk_id]
    assert enc.word_ids.tolist() == [0, 1]


def test_word_tokenizer_adopts_vocabulary():
    tok = WordTokenizer(vocabulary=["good", "bad"]).fit(["ignored text"])
    assert tok.words_ == ["good", "bad"] and tok.vocab_size == 6
    with pytest.raises(ValueError, match="duplicate"):
        WordTokenizer(vocabulary=["Good", "good"]).fit([])


def test_word_tokenizer_truncation_warns_and_counts():
    tok = WordTokenizer(max_length=3).fit(["a b c d e"])
    with pytest.warns(UserWarning, match="truncated"):
        enc = tok.encode(["a b c d e"])[0]
    assert len(enc) == 3 and enc.n_truncated_words == 2 and len(enc.words) == 5


def test_word_tokenizer_pairs_longest_first():
    tok = WordTokenizer(max_length=6).fit([("a b c", "d e f g h")])
    with pytest.warns(UserWarning):
        enc = tok.encode([("a b c", "d e f g h")])[0]
    assert len(enc) == 6
    assert enc.input_ids.tolist()[2] == tok.sep_id
    sides = [w.side for w in enc.words]
    assert sides == [0, 0, 0, 1, 1, 1, 1, 1]
    # word ids of side 1 continue after side 0's words; [SEP] belongs to no word
    assert enc.word_ids.tolist() == [0, 1, -1, 3, 4, 5]
    assert enc.token_type_ids.tolist() == [0, 0, 0, 1, 1, 1]


def test_empty_text_gets_a_placeholder_token():
    tok = WordTokenizer().fit(["x"])
    enc = tok.encode([""])[0]
    assert enc.words == [] and enc.input_ids.tolist() == [tok.unk_id]
    assert enc.word_ids.tolist() == [-1]


def test_hf_adapter_word_ids(fast_tokenizer):
    tok = HFTokenizer(fast_tokenizer, max_length=16).fit()
    enc = tok.encode(["Great films, loved"])[0]
    words = [w.text for w in enc.words]
    assert words == ["Great", "films", ",", "loved"]
    toks = fast_tokenizer.convert_ids_to_tokens(enc.input_ids.tolist())
    assert toks == ["[CLS]", "great", "film", "##s", ",", "loved", "[SEP]"]
    assert enc.word_ids.tolist() == [-1, 0, 1, 1, 2, 3, -1]


def test_hf_adapter_pairs(fast_tokenizer):
    tok = HFTokenizer(fast_tokenizer).fit()
    enc = tok.encode([("great film", "dull plot")])[0]
    assert [w.side for w in enc.words] == [0, 0, 1, 1]
    assert enc.word_ids.tolist() == [-1, 0, 1, -1, 2, 3, -1]
    assert enc.token_type_ids.tolist() == [0, 0, 0, 0, 1, 1, 1]


def test_hf_adapter_from_folder(fast_tokenizer, tmp_path):
    fast_tokenizer.save_pretrained(tmp_path)
    tok = HFTokenizer(str(tmp_path)).fit()
    assert tok.encode(["great"])[0].input_ids.tolist() == fast_tokenizer("great")["input_ids"]


def test_hf_adapter_errors(fast_tokenizer, tmp_path):
    with pytest.raises(OSError, match="could not load a tokenizer"):
        HFTokenizer(str(tmp_path / "missing")).fit()
    with pytest.raises(TypeError, match="fast tokenizer"):
        HFTokenizer(object()).fit()


def test_check_texts_forms():
    assert check_texts(["a", "b"]) == (["a", "b"], "text")
    assert check_texts(np.array(["a", "b"]))[1] == "text"
    assert check_texts(pd.Series(["a", "b"]))[1] == "text"
    df = pd.DataFrame({"p": ["a", "b"], "h": ["c", "d"]})
    assert check_texts(df) == ([("a", "c"), ("b", "d")], "pair")
    assert check_texts([("a", "c")]) == ([("a", "c")], "pair")
    assert check_texts(np.array([["a", "c"]], dtype=object))[1] == "pair"


@pytest.mark.parametrize(
    "X, exc, msg",
    [
        (None, TypeError, "is None"),
        ("one text", TypeError, "single str"),
        ([], ValueError, "empty"),
        (["ok", None], ValueError, r"X\[1\] is a missing value"),
        (["ok", float("nan")], ValueError, "missing value"),
        (["ok", 3], TypeError, r"X\[1\] is of type int"),
        ([b"bytes"], TypeError, "decode"),
        ([("a", "b"), "c"], ValueError, "not a .text_a, text_b. pair"),
        ([("a", "b", "c")], ValueError, "pair"),
        (pd.DataFrame({"a": ["x"], "b": ["y"], "c": ["z"]}), ValueError, "3 columns"),
        (np.zeros((2, 3)), ValueError, "shape"),
    ],
)
def test_check_texts_errors(X, exc, msg):
    with pytest.raises(exc, match=msg):
        check_texts(X)


def test_dynamic_padding_and_types():
    tok = WordTokenizer().fit([("a b", "c")])
    encs = tok.encode([("a b", "c"), ("a", "c")])
    ds = TextDataset(encs, np.array([0, 1]))
    X, y = Collator(tok.pad_id)([ds[0], ds[1]])
    assert X["input_ids"].shape == (2, 4)  # longest in batch, not max_length
    assert X["attention_mask"].tolist() == [[1, 1, 1, 1], [1, 1, 1, 0]]
    assert X["word_ids"][1].tolist() == [0, -1, 1, -1]
    assert X["token_type_ids"][0].tolist() == [0, 0, 0, 1]
    assert y.tolist() == [0, 1]
    X, _ = Collator(tok.pad_id, pad_to=10)([ds[0]])
    assert X["input_ids"].shape == (1, 10)


def test_bucket_sampler_groups_lengths_and_is_seeded():
    lengths = np.array([1, 50, 2, 49, 3, 48, 4, 47])
    g = torch.Generator().manual_seed(0)
    batches = list(BucketBatchSampler(lengths, 2, generator=g, pool_factor=4))
    assert sorted(i for b in batches for i in b) == list(range(8))
    spreads = [abs(lengths[b[0]] - lengths[b[1]]) for b in batches]
    assert max(spreads) <= 2
    again = list(
        BucketBatchSampler(lengths, 2, generator=torch.Generator().manual_seed(0), pool_factor=4)
    )
    assert batches == again
    ordered = list(BucketBatchSampler(lengths, 3, shuffle=False))
    assert [lengths[i] for b in ordered for i in b] == sorted(lengths)


def test_tokenizer_transformer_step():
    step = Tokenizer(min_freq=1).fit(["a fine film", "a dull film"])
    out = step.transform(["a fine film"])
    assert isinstance(out[0], EncodedText) and out[0].tokenizer is step.tokenizer_
    with pytest.raises(TypeError, match="single str"):
        step.transform("a fine film")
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        Tokenizer().transform(["x"])
