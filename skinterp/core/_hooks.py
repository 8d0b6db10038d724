"""The hook table: what a method may fill or set on the estimator core."""

from __future__ import annotations

__all__ = ["HOOKS", "HOOK_ATTRIBUTES"]

#: The hooks a method may fill, and what each is for. Overriding any other method of the core
#: in a subclass is refused when the class is defined.
HOOKS: dict[str, str] = {
    "_build_module": "(encoder, n_classes) -> nn.Module: the method's module; forward returns "
    "(logits, extras)",
    "get_loss_terms": "(y_pred, y_true, X, training) -> {name: weighted scalar}: extra loss "
    "terms, each logged to history (declare names in _extra_loss_names)",
    "_native_token_scores": "(batch) -> (token scores (B, T), logits (B, C)): the native "
    "explanation (base: gradient x input)",
    "_learn_from_data": "(encodings, y) -> None: corpus statistics needed before the module is "
    "built (AGN), stored as fitted attributes",
    "_check_hyperparams": "() -> None: extra parameter checks; call super() first",
    "_method_callbacks": "() -> [(name, Callback)]: the method's schedules (annealing, "
    "phases), placed before the epoch table",
    "_mask_layer": "(word_dim, masked_dim) -> nn.Module: the mask layer (mask family only)",
    "_is_candidate_epoch": "(history row) -> bool: whether early_stopping may keep this epoch "
    "(SCC: only a decisive mask); say the rule in _candidate_epoch_rule",
    "train_step": "skorch's documented override, for several passes or alternating stages; "
    "reuse step_optimizer(loss_fn)",
    "train_step_single": "skorch's documented override for one pass",
    "__init__": "the method's own hyperparameters as keyword arguments, then **kwargs",
}
#: Class attributes a method may set.
HOOK_ATTRIBUTES = (
    "_extra_loss_names",
    "_native_method",
    "_word_aggregation",
    "_fitted_arrays",
    "_decisiveness",
    "_starts_from_fine_tuned",
    "_candidate_epoch_rule",
    "_encoder_lr_ratio",
    "_sequence_classifier",
)
