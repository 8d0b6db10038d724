"""The estimator core, one module per concern.

=================  ==========================================================
``_estimator``     :class:`TextClassifier`: parameters, tags, ``fit``, :data:`HOOKS`
``_inputs``        validation, tokenizer fitting, ``init_from``, encoding
``_backbone``      the encoder built from the parameters (returns values only)
``_training``      module, optimizer settings, callbacks, split, iterator, loss
``_epochs``        the epoch ``early_stopping`` keeps, the epoch table, ``valid_acc``
``_inference``     prediction, embedding, native explanation, the model protocol
``_persistence``   ``save`` / ``load`` (safetensors + JSON, no pickle)
``_safe_load``     what a model folder may hold (files, hashes, ``skinterp.json``'s keys)
``_safe_params``   what its parameters may be (allow-listed classes, values, sizes)
``_state``         optimizer state, the content hash
``_docstring``     parameter documentation shared by every estimator
=================  ==========================================================
"""

from ._docstring import BACKBONE_PARAMS, TRAINING_PARAMS, Substitution, shared_params
from ._estimator import HOOK_ATTRIBUTES, HOOKS, TextClassifier
from ._persistence import content_hash, load, save
from ._safe_load import ModelFileError

__all__ = [
    "BACKBONE_PARAMS",
    "HOOKS",
    "HOOK_ATTRIBUTES",
    "TRAINING_PARAMS",
    "ModelFileError",
    "Substitution",
    "TextClassifier",
    "content_hash",
    "load",
    "save",
    "shared_params",
]
