"""Tiny offline models and data for the tests (no hub, no downloads)."""

from __future__ import annotations

WORDS = (
    "the a an of and to is it this that film movie plot acting story great good wonderful "
    "superb fine loved bad dull awful boring terrible hated not very really was were "
    "cast script scenes ending music fun i , . ! ?"
).split()


def tiny_fast_tokenizer(words=WORDS):
    """A BERT-style WordPiece fast tokenizer built from a word list."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    vocab = {t: i for i, t in enumerate(specials + list(dict.fromkeys(words)) + ["##s", "##ed"])}
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])],
    )
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )


def tiny_bert_config(vocab_size: int):
    from transformers import BertConfig

    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
    )


def toy_data(repeat: int = 3):
    """The toy sentiment set of the common estimator checks (string labels)."""
    from skinterp.utils.estimator_checks import toy_text_data

    return toy_text_data(repeat)
