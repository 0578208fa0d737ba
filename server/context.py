"""Where a request finds the objects the app factory was handed (no module-level state)."""
from __future__ import annotations

from flask import current_app

from indexer.config import Config
from indexer.search import SearchEngine

ENGINE = "policy_search.engine"
CONFIG = "policy_search.config"


def engine() -> SearchEngine:
    """The SearchEngine opened at start-up, shared by all request threads."""
    return current_app.extensions[ENGINE]


def config() -> Config:
    return current_app.extensions[CONFIG]
