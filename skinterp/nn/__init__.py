"""Torch building blocks: encoders with one interface, classification modules.

Nothing here imports scikit-learn or skorch.
"""

from ._agn import AdaptiveGateModule
from ._attention import AdditiveAttention, AttentionClassifierModule
from ._contrastive import multi_positive_nt_xent, supervised_contrastive_loss, view_pairs_mask
from ._encoders import CNNEncoder, EncoderOutput, LSTMEncoder, make_embedding, masked_pool
from ._heads import ClassifierModule
from ._masks import (
    BernoulliMaskGate,
    L2XSelector,
    MaskedClassifierModule,
    MaskOutput,
    MultiLevelMaskModule,
    ReadoutBottleneck,
    SparseCodingLayer,
    masked_mean,
    straight_through_bernoulli,
)
from ._transformer import (
    SequenceClassifierModule,
    TransformerEncoder,
    find_embeddings_block,
    load_sequence_classifier,
    load_transformer,
)

__all__ = [
    "AdaptiveGateModule",
    "AdditiveAttention",
    "AttentionClassifierModule",
    "BernoulliMaskGate",
    "CNNEncoder",
    "ClassifierModule",
    "EncoderOutput",
    "L2XSelector",
    "LSTMEncoder",
    "MaskOutput",
    "MaskedClassifierModule",
    "MultiLevelMaskModule",
    "ReadoutBottleneck",
    "SequenceClassifierModule",
    "SparseCodingLayer",
    "TransformerEncoder",
    "find_embeddings_block",
    "load_sequence_classifier",
    "load_transformer",
    "make_embedding",
    "masked_mean",
    "masked_pool",
    "multi_positive_nt_xent",
    "straight_through_bernoulli",
    "supervised_contrastive_loss",
    "view_pairs_mask",
]
