"""Torch building blocks: encoders with one interface, classification modules.

Nothing here imports scikit-learn or skorch.
"""

from ._encoders import CNNEncoder, EncoderOutput, LSTMEncoder, make_embedding, masked_pool
from ._heads import ClassifierModule
from ._transformer import TransformerEncoder, find_embeddings_block, load_transformer

__all__ = [
    "CNNEncoder",
    "ClassifierModule",
    "EncoderOutput",
    "LSTMEncoder",
    "TransformerEncoder",
    "find_embeddings_block",
    "load_transformer",
    "make_embedding",
    "masked_pool",
]
