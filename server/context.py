"""Where a request finds the objects the app factory was handed (no module-level state)."""
from __future__ import annotations

from flask import current_app, g

from indexer.config import Config
from indexer.query.engine import SearchEngine

from .reload import EngineHolder

HOLDER = "policy_search.engine_holder"
CONFIG = "policy_search.config"


def holder() -> EngineHolder:
    """The holder of the served engine (swapped when a new index version is published)."""
    return current_app.extensions[HOLDER]


def engine() -> SearchEngine:
    """The engine this request started with: one request never mixes two index versions."""
    if "engine" not in g:
        g.engine = holder().current
    return g.engine


def config() -> Config:
    return current_app.extensions[CONFIG]
