"""Regenerate the hostile and ordinary zip fixtures here: `python make_archives.py`.

Each archive is one student's submission; the name says the scenario. The
zip bomb is not committed (it would be big); tests build it on the fly.
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOOD = "def relu_model(features, weights, biases):\n    return features\n"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # stable bytes on every regeneration


def _info(name: str, mode: int = 0o100644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.external_attr = mode << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def build() -> None:
    with zipfile.ZipFile(HERE / "top_folder.zip", "w") as zf:
        zf.writestr(_info("alice_hw/", 0o040755), "")
        zf.writestr(_info("alice_hw/relu_model.py"), GOOD)
        zf.writestr(_info("alice_hw/sub/parameter_count.py"), "N = 1\n")
        zf.writestr(_info("__MACOSX/alice_hw/._relu_model.py"), "junk")
        zf.writestr(_info("alice_hw/notes.txt"), "not code")
    with zipfile.ZipFile(HERE / "traversal.zip", "w") as zf:
        zf.writestr(_info("relu_model.py"), GOOD)
        zf.writestr(_info("../../evil.py"), "print('escaped')\n")
        zf.writestr(_info("ok/../../evil2.py"), "print('escaped')\n")
    with zipfile.ZipFile(HERE / "absolute.zip", "w") as zf:
        zf.writestr(_info("relu_model.py"), GOOD)
        zf.writestr(_info("/etc/evil.py"), "print('absolute')\n")
        zf.writestr(_info("C:/evil.py"), "print('drive')\n")
    with zipfile.ZipFile(HERE / "symlink.zip", "w") as zf:
        zf.writestr(_info("relu_model.py"), GOOD)
        zf.writestr(_info("passwd.py", stat.S_IFLNK | 0o777), "/etc/passwd")
    with zipfile.ZipFile(HERE / "binary.zip", "w") as zf:
        zf.writestr(_info("relu_model.py"), GOOD)
        zf.writestr(_info("blob.py"), b"\x00\x01\x02binary")
        zf.writestr(_info("latin1.py"), "x = 'caf\u00e9'\n".encode("latin-1"))
    with zipfile.ZipFile(HERE / "empty.zip", "w"):
        pass
    good = (HERE / "top_folder.zip").read_bytes()
    (HERE / "corrupt.zip").write_bytes(good[: len(good) // 2])
    (HERE / "not_a_zip.zip").write_bytes(b"this is plain text, not an archive\n")


if __name__ == "__main__":
    build()
