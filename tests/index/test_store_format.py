"""An index of an older format is rebuilt by `serve --build-if-missing`, not served."""
from __future__ import annotations

import json
import shutil

import pytest

from indexer.errors import IndexUnavailableError
from indexer.index import store


def test_outdated_is_true_for_no_index_and_for_an_older_format(tmp_path, server_index):
    assert store.outdated(tmp_path / "none")
    copy = tmp_path / "index"
    shutil.copytree(server_index, copy)
    assert not store.outdated(copy)
    manifest_path = store.current_version(copy) / store.MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["format_version"] = store.FORMAT_VERSION - 1
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert store.outdated(copy)
    with pytest.raises(IndexUnavailableError, match="rebuild it"):
        store.read_manifest(store.current_version(copy))
