"""Hostile and broken model folders: ``skinterp.load`` (and the CLI) read them as data only.

Each case starts from a real saved model, changes it the way an attacker or an unlucky disk
would, and asserts (1) a ``ModelFileError``/``FileNotFoundError`` whose message names the
problem and (2) that no payload ran: every payload would create ``MARKER`` in the test's
folder. Most cases re-compute the SHA-256 list after tampering, as an attacker can (the
hashes catch corruption; they are not a signature), so that the check under test is the
one that stops the case.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import small_cnn
from safetensors.torch import load_file, save_file

from skinterp import load
from skinterp._cli_files import load_model_dir
from skinterp.core import ModelFileError
from skinterp.core._safe_load import MAX_NESTING, file_hashes


@pytest.fixture(scope="module")
def good(toy, tmp_path_factory):
    X, y = toy
    return small_cnn(max_epochs=1).fit(X, y).save(tmp_path_factory.mktemp("good") / "cnn")


@pytest.fixture(scope="module")
def good_bert(toy, fast_tokenizer, bert_config, tmp_path_factory):
    from skinterp import TextClassifier

    X, y = toy
    clf = TextClassifier(
        encoder="transformer",
        pretrained=bert_config,
        tokenizer=fast_tokenizer,
        max_epochs=1,
        random_state=0,
    ).fit(X, y)
    return clf.save(tmp_path_factory.mktemp("good") / "bert")


class _Payload:
    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def _meta(folder: Path) -> dict:
    return json.loads((folder / "skinterp.json").read_text())


def _write(folder: Path, meta: dict, rehash: bool = True) -> None:
    if rehash and meta.get("format_version") == 3:
        meta["files"] = file_hashes(folder)
    (folder / "skinterp.json").write_text(json.dumps(meta))


def _params(**changes):
    def mutate(meta, folder):
        meta["params"].update(changes)

    return mutate


def _marker_cmd(folder):
    return f"touch {folder.parent / 'MARKER'}"


# (id, mutation(meta, folder) -> None, expected message); the marker sits next to the folder
PARAM_CASES = [
    (
        "collect_env_run_shell",
        lambda m, f: m["params"].update(
            criterion={"class": "torch.utils.collect_env.run"},
            criterion__command={"value": _marker_cmd(f)},
        ),
        "params.criterion: 'torch.utils.collect_env.run' is not allowed",
    ),
    (
        "torch_load_pickle",
        lambda m, f: (
            (f / "evil.pt").write_bytes(pickle.dumps(_Payload(f.parent / "MARKER"))),
            m["params"].update(
                criterion={"class": "torch.serialization.load"},
                criterion__f={"value": str(f / "evil.pt")},
                criterion__weights_only={"value": False},
            ),
        ),
        "params.criterion: 'torch.serialization.load' is not allowed",
    ),
    ("os_system", _params(optimizer={"class": "os.system"}), "'os.system' is not allowed"),
    ("builtins_eval", _params(optimizer={"class": "builtins.eval"}), "is not allowed"),
    (
        "torch_hub_load",
        _params(optimizer={"class": "torch.hub.load"}),
        "'torch.hub.load' is not allowed",
    ),
    (
        "a_torch_class_of_the_wrong_kind",
        _params(criterion={"class": "torch.optim.adam.Adam"}),
        "params.criterion: 'torch.optim.adam.Adam' is not allowed",
    ),
    (
        "argument_the_class_does_not_take",
        lambda m, f: m["params"].update(criterion__command={"value": _marker_cmd(f)}),
        "CrossEntropyLoss takes no argument 'command'",
    ),
    (
        "dataloader_collate_fn",
        _params(iterator_train__collate_fn={"value": "os.system"}),
        "DataLoader takes no argument 'collate_fn'",
    ),
    (
        "callback_argument",
        _params(callbacks__print_log__sink={"value": "os.system"}),
        "only arguments of",
    ),
    ("module_argument", _params(module__x={"value": 1}), "only arguments of"),
    ("unknown_parameter", _params(evil={"value": 1}), "has no parameter 'evil'"),
    ("unknown_encoding", _params(lr={"pickle": "gASV"}), "unknown encoding 'pickle'"),
    ("class_for_a_plain_parameter", _params(lr={"class": "torch.optim.adam.Adam"}), "class"),
    ("callbacks_strings", _params(callbacks={"value": ["os.system"]}), "cannot be loaded"),
    ("train_split_string", _params(train_split={"value": "os.system"}), "cannot be loaded"),
    ("wrong_type_value", _params(max_epochs={"value": "ten"}), "params: The 'max_epochs'"),
    ("two_encodings", _params(lr={"value": 1, "tuple": [1]}), "expected one encoding"),
    (
        "init_from_traversal",
        _params(init_from={"estimator": "../../other"}),
        "must name 'init_from'",
    ),
    ("init_from_absolute", _params(init_from={"estimator": "/tmp"}), "must name 'init_from'"),
    ("init_from_itself", _params(init_from={"estimator": "."}), "must name 'init_from'"),
    (
        "hf_tokenizer_traversal",
        _params(tokenizer={"hf_tokenizer": "../../tok"}),
        "must name 'tokenizer_param'",
    ),
    (
        "hf_config_remote_code",
        _params(pretrained={"hf_config": {"model_type": "bert", "auto_map": {"AutoModel": "x.Y"}}}),
        "auto_map: names remote code",
    ),
    (
        "hf_config_hub_kernel",
        _params(
            pretrained={
                "hf_config": {"model_type": "bert", "attn_implementation": "kernels-x/flash"}
            }
        ),
        "only 'eager' or 'sdpa' load",
    ),
    ("meta_device_drops_weights", _params(device={"value": "meta"}), "'meta' is not a device"),
    (
        "workers_spawned_on_predict",
        _params(iterator_valid__num_workers={"value": 1000}),
        "1000 worker processes",
    ),
    (
        "torch_load_runs_pickles",
        _params(torch_load_kwargs={"value": {"weights_only": False}}),
        "weights_only=False",
    ),
    ("many_filters_slow_to_build", _params(filter_sizes={"tuple": [3] * 5000}), "5000 is more"),
    ("many_lstm_layers", _params(num_layers={"value": 10**6}), "1000000 is more"),
    ("vectors_other_tensor", _params(embeddings={"vectors": "encoder.x"}), "param::embeddings"),
]

TOP_LEVEL_CASES = [
    ("format_version_string", {"format_version": "3"}, "format_version: expected an integer"),
    ("format_version_bool", {"format_version": True}, "format_version: expected an integer"),
    ("format_version_zero", {"format_version": 0}, "format_version: 0 is not a format"),
    ("newer_format", {"format_version": 99}, "newer skinterp"),
    ("foreign_format", {"format": "pickle"}, "not a skinterp model file"),
    ("class_not_ours", {"class": "Popen"}, "class: 'Popen' is not a skinterp estimator"),
    ("class_int", {"class": 3}, "class: expected a string"),
    ("params_list", {"params": []}, "params: expected an object"),
    ("fitted_string", {"fitted": "x"}, "fitted: expected an object"),
    ("tokenizer_list", {"tokenizer": []}, "tokenizer: expected an object"),
    ("optimizers_string", {"optimizers": "x"}, "optimizers: expected an object or null"),
    ("history_object", {"history": {}}, "history: expected a list or null"),
    ("history_of_numbers", {"history": [1, 2]}, "history: expected a list of objects"),
    ("transformer_config_list", {"transformer_config": []}, "transformer_config: expected"),
    ("files_list", {"files": []}, "files: expected an object"),
    ("skinterp_version_int", {"skinterp": 1}, "skinterp: expected a string"),
]

FITTED_CASES = [
    ("no_fitted", lambda m: m.pop("fitted"), "fitted: missing"),
    ("no_classes", lambda m: m["fitted"].pop("classes"), "classes: missing"),
    ("dtype_cuts_labels", lambda m: m["fitted"].update(classes_dtype="<U1"), "does not hold"),
    ("one_class", lambda m: m["fitted"].update(classes=["a"]), "at least two labels"),
    ("repeated_classes", lambda m: m["fitted"].update(classes=["a", "a"]), "labels repeat"),
    ("object_dtype_junk", lambda m: m["fitted"].update(classes_dtype="V8"), "not a label dtype"),
    ("dtype_garbage", lambda m: m["fitted"].update(classes_dtype="zz9"), "not a label dtype"),
    ("seed_string", lambda m: m["fitted"].update(seed_="0"), "seed_: expected an integer"),
    ("input_kind", lambda m: m["fitted"].update(input_kind_="code"), "'text' or 'pair'"),
    ("negative_dim", lambda m: m["fitted"].update(embedding_dim=-1), "is negative"),
    ("unknown_array", lambda m: m["fitted"].update(arrays={"x": "float32"}), "no such array"),
    ("tokenizer_kind", lambda m: m["tokenizer"].update(kind="pickle"), "'pickle' is not"),
    ("itos_string", lambda m: m["tokenizer"].update(itos="abc"), "itos: expected a list"),
    ("hf_dir_traversal", lambda m: m["tokenizer"].update(kind="hf", dir=".."), "must be"),
    (
        "bad_optimizer_tag",
        lambda m: m.update(optimizers={"o": {"param_groups": [], "scalars": {"x": 1}}}),
        "optimizer::NAME",
    ),
    ("files_traversal", lambda m: m["files"].update({"../x": "0" * 64}), "not a path inside"),
    ("files_not_hex", lambda m: m["files"].update({"model.safetensors": "abc"}), "SHA-256 hex"),
    ("files_no_weights", lambda m: m["files"].pop("model.safetensors"), "not listed with"),
]


def _check(folder: Path, message: str, error=ModelFileError) -> None:
    with pytest.raises(error) as info:
        load(folder)
    assert message in str(info.value), str(info.value)
    assert str(folder) in str(info.value) or "skinterp.json" in str(info.value)
    assert not (folder.parent / "MARKER").exists(), "a payload ran"


@pytest.mark.parametrize(
    ("mutate", "message"), [c[1:] for c in PARAM_CASES], ids=[c[0] for c in PARAM_CASES]
)
def test_hostile_parameters(good, tmp_path, mutate, message):
    folder = _copy(good, tmp_path / "m")
    meta = _meta(folder)
    mutate(meta, folder)
    _write(folder, meta)
    _check(folder, message)


@pytest.mark.parametrize(
    ("change", "message"), [c[1:] for c in TOP_LEVEL_CASES], ids=[c[0] for c in TOP_LEVEL_CASES]
)
def test_wrong_types_of_top_level_keys(good, tmp_path, change, message):
    folder = _copy(good, tmp_path / "m")
    _write(folder, {**_meta(folder), **change}, rehash=False)
    _check(folder, message)


@pytest.mark.parametrize(
    ("mutate", "message"), [c[1:] for c in FITTED_CASES], ids=[c[0] for c in FITTED_CASES]
)
def test_malformed_fitted_state(good, tmp_path, mutate, message):
    folder = _copy(good, tmp_path / "m")
    meta = _meta(folder)
    mutate(meta)
    _write(folder, meta, rehash=False)
    _check(folder, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "not valid JSON"),  # recursion
        (b"[1, 2]", "a JSON object expected"),
        (b"\xff\xfe", "not valid JSON"),
    ],
    ids=["syntax", "deep_nesting", "list", "bad_utf8"],
)
def test_not_a_json_object(good, tmp_path, content, message):
    folder = _copy(good, tmp_path / "m")
    (folder / "skinterp.json").write_bytes(content)
    _check(folder, message)


def test_truncated_weights_name_the_file(good, tmp_path):
    folder = _copy(good, tmp_path / "m")
    data = (folder / "model.safetensors").read_bytes()
    (folder / "model.safetensors").write_bytes(data[: len(data) // 2])
    _check(folder, "model.safetensors does not match the SHA-256")
    # an old format (no hashes): the safetensors reader's error, naming the file
    meta = {**_meta(folder), "format_version": 2}
    meta.pop("files")
    _write(folder, meta)
    _check(folder, "model.safetensors: not a readable safetensors file")


def test_bit_flipped_weights_are_refused(good, tmp_path):
    folder = _copy(good, tmp_path / "m")
    data = bytearray((folder / "model.safetensors").read_bytes())
    data[-9] ^= 0x40  # one bit of the last weight
    (folder / "model.safetensors").write_bytes(bytes(data))
    _check(folder, "model.safetensors does not match the SHA-256")


def test_missing_weights(good, tmp_path):
    folder = _copy(good, tmp_path / "m")
    (folder / "model.safetensors").unlink()
    _check(folder, "model.safetensors is missing")


@pytest.mark.parametrize(
    ("param", "value"),
    [("embedding_dim", 10**9), ("num_filters", 10**8), ("filter_sizes", [10**7])],
)
def test_oversized_shapes_fail_before_allocating(good, tmp_path, param, value):
    folder = _copy(good, tmp_path / "m")
    meta = _meta(folder)
    meta["params"][param] = {"tuple" if param == "filter_sizes" else "value": value}
    if param == "embedding_dim":
        meta["fitted"]["embedding_dim"] = value
    _write(folder, meta)
    _check(folder, "has shape")


def test_tensor_added_or_removed(good, tmp_path):
    folder = _copy(good, tmp_path / "m")
    tensors = load_file(str(folder / "model.safetensors"))
    tensors["extra"] = torch.zeros(3)
    save_file(tensors, str(folder / "model.safetensors"))
    _write(folder, _meta(folder))
    _check(folder, "tensor 'extra' has shape (3,)")
    del tensors["extra"]
    tensors.pop(next(k for k in tensors if "::" not in k))
    save_file(tensors, str(folder / "model.safetensors"))
    _write(folder, _meta(folder))
    _check(folder, "has shape None")


def test_optimizer_moments_of_the_wrong_shape(good, tmp_path):
    folder = _copy(good, tmp_path / "m")
    tensors = load_file(str(folder / "model.safetensors"))
    key = next(k for k in tensors if k.startswith("optimizer::") and k.endswith("exp_avg"))
    tensors[key] = torch.zeros(7, 3)
    save_file(tensors, str(folder / "model.safetensors"))
    _write(folder, _meta(folder))
    _check(folder, "state 'exp_avg' of parameter")


def test_a_link_loop(good_bert, tmp_path):
    folder = _copy(good_bert, tmp_path / "m")
    shutil.rmtree(folder / "tokenizer")
    (folder / "tokenizer").symlink_to(folder / "tokenizer")
    _check(folder, "tokenizer/tokenizer.json (listed in skinterp.json 'files') is missing")


def test_symlinks_out_of_the_folder(good, tmp_path):
    outside = tmp_path / "outside.safetensors"
    shutil.copy(good / "model.safetensors", outside)
    folder = _copy(good, tmp_path / "m")
    (folder / "model.safetensors").unlink()
    (folder / "model.safetensors").symlink_to(outside)
    _check(folder, "model.safetensors leads outside the model folder")


def test_tokenizer_folder_symlink_and_extra_files(good_bert, tmp_path):
    folder = _copy(good_bert, tmp_path / "m")
    shutil.move(folder / "tokenizer", tmp_path / "tok")
    (folder / "tokenizer").symlink_to(tmp_path / "tok")
    _check(folder, "tokenizer leads outside the model folder")
    folder = _copy(good_bert, tmp_path / "m2")
    (folder / "tokenizer" / "evil.pkl").write_bytes(pickle.dumps(_Payload(tmp_path / "MARKER")))
    _check(folder, "tokenizer/evil.pkl is not listed")
    _write(folder, _meta(folder))  # listed by an attacker: refused by the tokenizer loader
    _check(folder, "holds files a saved tokenizer does not write")


def test_transformer_without_config_would_download(good_bert, tmp_path):
    folder = _copy(good_bert, tmp_path / "m")
    meta = _meta(folder)
    meta["transformer_config"] = None
    meta["params"]["pretrained"] = {"value": "../../some/model"}
    _write(folder, meta)
    _check(folder, "transformer_config: missing for a transformer model")


def test_remote_code_in_transformer_config(good_bert, tmp_path):
    folder = _copy(good_bert, tmp_path / "m")
    meta = _meta(folder)
    meta["transformer_config"]["auto_map"] = {"AutoModel": "evil.Model"}
    _write(folder, meta)
    _check(folder, "transformer_config.auto_map: names remote code")


def test_a_huge_transformer_config_is_refused_before_it_is_built(good_bert, tmp_path):
    folder = _copy(good_bert, tmp_path / "m")
    meta = _meta(folder)
    meta["transformer_config"]["num_hidden_layers"] = 10**6
    _write(folder, meta)
    _check(folder, "describes a model larger than model.safetensors holds")


def test_init_from_nesting_limit(good, tmp_path):
    """A chain of init_from folders deeper than MAX_NESTING is refused, not a RecursionError."""
    inner = _copy(good, tmp_path / "chain")
    for _ in range(MAX_NESTING + 2):
        outer = tmp_path / "next"
        _copy(good, outer)
        shutil.move(inner, outer / "init_from")
        meta = _meta(outer)
        meta["params"]["init_from"] = {"estimator": "init_from", "frozen": False}
        _write(outer, meta)
        inner = outer.rename(tmp_path / "chain")
    _check(inner, "nested more than")


def test_a_hostile_folder_through_the_cli(good, tmp_path):
    folder = _copy(good, tmp_path / "m")
    meta = _meta(folder)
    meta["params"].update(
        criterion={"class": "torch.utils.collect_env.run"},
        criterion__command={"value": _marker_cmd(folder)},
    )
    _write(folder, meta)
    for command in (["explain", str(folder), "a good film"], ["evaluate", str(folder)]):
        out = subprocess.run(
            [sys.executable, "-m", "skinterp.cli", *command], capture_output=True, text=True
        )
        assert out.returncode == 1, out.stderr
        assert "is not allowed" in out.stderr and "Traceback" not in out.stderr
        assert not (tmp_path / "MARKER").exists()


def test_a_malformed_run_json_through_the_cli(good, tmp_path):
    folder = _copy(good, tmp_path / "m")
    (folder / "run.json").write_text(json.dumps({"dataset": ["x"]}))
    out = subprocess.run(
        [sys.executable, "-m", "skinterp.cli", "explain", str(folder), "a good film"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "run.json: dataset: expected a string" in out.stderr
    (folder / "run.json").write_text("[1]")
    with pytest.raises(ValueError, match="run.json: file: a JSON object expected, got list"):
        load_model_dir(folder)


@pytest.mark.skipif(torch.cuda.is_available(), reason="tests the CPU-only fallback")
def test_a_cuda_model_loads_on_the_cpu_with_a_warning(good, tmp_path):
    folder = _copy(good, tmp_path / "m")
    meta = _meta(folder)
    meta["params"]["device"] = {"value": "cuda:0"}
    _write(folder, meta)
    with pytest.warns(UserWarning, match="CUDA is not available here; loading it on the CPU"):
        model = load(folder)
    assert model.device == "cpu" and model.predict(["a great film"]).shape == (1,)


def test_the_good_folders_still_load(good, good_bert):
    assert load(good).predict(["a great film"]).shape == (1,)
    assert load(good_bert).predict(["a great film"]).shape == (1,)
