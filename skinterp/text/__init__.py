"""Text layer: word segmentation, tokenizers with word alignment, datasets with dynamic padding."""

from ._dataset import BucketBatchSampler, Collator, TextDataset
from ._factory import SAVED_TOKENIZER_FILES, load_saved_hf_tokenizer, make_tokenizer
from ._input import check_k, check_texts
from ._segment import WORD_PATTERN, Word, segment_words
from ._tokenizers import (
    BaseTextTokenizer,
    EncodedText,
    HFTokenizer,
    WordTokenizer,
    restore_tokenizer,
)
from ._transformer import Tokenizer

__all__ = [
    "SAVED_TOKENIZER_FILES",
    "WORD_PATTERN",
    "BaseTextTokenizer",
    "BucketBatchSampler",
    "Collator",
    "EncodedText",
    "HFTokenizer",
    "TextDataset",
    "Tokenizer",
    "Word",
    "WordTokenizer",
    "check_k",
    "check_texts",
    "load_saved_hf_tokenizer",
    "make_tokenizer",
    "restore_tokenizer",
    "segment_words",
]
