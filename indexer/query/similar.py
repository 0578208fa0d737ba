"""Similar clauses: clauses of other documents (or regions) on the same topic as a clause or a
pasted passage, judged like search results.

Stages: the source -> its probes (the whole text and, above PIECE_ABOVE characters, each of its
pieces: sentences and 一是/二是 points, so each topic of a long item finds its own peers) -> per
probe, both signals: the embedding (cosine) and BM25 over the source's distinctive terms (its
tokens weighted by IDF, the top DISTINCTIVE_TERMS) -> fused as search fuses (engine.fusion) ->
judged by a logistic calibration (similar_calibration.json, bench/bench_similar.py) into
`relevance` and `relevant` -> merged across probes, relevant results first and each probe's
best before any probe's second -> near-duplicates grouped beside what they copy, not dropped.

Bounded work: a pasted text may have MAX_TEXT_CHARS characters; of it only the first MAX_PIECES
pieces (each cut to MAX_PIECE_CHARS) and the first MAX_WHOLE_CHARS characters as a whole are
embedded and tokenised, so a 10,000-character text costs at most 13 embeddings of ≤ 512 characters.
"""
from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from itertools import pairwise
from pathlib import Path

import numpy as np

from indexer.errors import QueryError
from indexer.index.tokens import fold
from indexer.query.filters import Filters, document_mask
from indexer.query.relevance import Calibration, plain_text
from indexer.query.request import SCOPES, validate_k
from indexer.query.shapes import Hit

PIECE_ABOVE = 120  # a source longer than this is also searched piece by piece
MAX_TEXT_CHARS = 10_000  # a pasted text may be this long
MAX_PIECES = 12  # pieces searched; later ones are not
MAX_PIECE_CHARS = 300  # characters of a piece embedded and tokenised
MAX_WHOLE_CHARS = 512  # characters of a pasted text embedded as a whole
MIN_PIECE_CHARS = 20  # a shorter piece (a heading, "一是加强组织领导。") joins the next
DISTINCTIVE_TERMS = 12  # BM25 query terms per probe
CANDIDATES = 50  # per probe and signal, before fusion
# Two clauses are near-duplicates when their plain texts are the same, or their cosine is at least
# NEAR_DUPLICATE and their character bigrams overlap by SAME_WORDS (Dice). Cosine alone does not
# tell under multilingual-e5-small: 4.5% of the seed corpus' clause pairs reach 0.97, on any topic.
NEAR_DUPLICATE = 0.97
SAME_WORDS = 0.6
MIN_COPY_CHARS = 30  # a copied piece must be this long to mark a copy
MAX_COPIES = 3  # near-duplicates grouped under one result
DISPLAY_CHARS = 300
SOURCE = "source"  # near_duplicate_of of a copy of a pasted text (it has no clause id)
# Relative evidence only: raw cosines shift between corpora (seed ~0.91, NCP higher), so a
# calibration on them does not carry from one corpus to another.
FEATURES = ("cosine_gap", "bm25_share", "term_share", "fused", "piece", "log_rank")
CALIBRATION = Path(__file__).with_name("similar_calibration.json")
# Until fitted: a judgement leaning on the embedding's lead over the background and shared terms.
_DEFAULT = Calibration(FEATURES, np.zeros(6), np.ones(6), np.array([20.0, 2.0, 3.0, 1.0, 0.0, -0.5]), -3.0, 0.5)

_CUT = re.compile(r"(?<=[。；;！？!?])|(?<=[，,：:\s])(?=[一二三四五六七八九十]{1,2}是)")
_DUTIES = re.compile(r"[（(][^（）()]*(?:责任人|牵头单位|责任单位|配合单位)[^（）()]*[）)]")
_NUMBER = re.compile(r"^[\d.%]+$")


@dataclass(frozen=True)
class Probe:
    """One searched part of the source: its text as searched, its piece {text, start, end} (None
    for the whole), its vector, distinctive terms and their IDF."""

    text: str
    piece: dict | None
    vector: np.ndarray
    terms: tuple[str, ...]
    idf: np.ndarray


@dataclass
class SimilarResult:
    """Similar clauses best first (`hits`, with relevance set) and, by clause id, the `piece` of
    the source each matched (None: the whole), `near_duplicate_of` (a clause id, SOURCE, or
    None), `copy` (the same words, punctuation aside) and `shared_terms`; the source; the
    features each hit was judged on (hits x FEATURES, for bench/bench_similar.py)."""

    hits: list[Hit]
    extras: dict[str, dict]
    source: dict
    scope: str
    features: np.ndarray = field(default_factory=lambda: np.zeros((0, len(FEATURES))))
    as_of: str | None = None  # the day each hit's document validity is judged on (default today)

    @property
    def relevant_count(self) -> int:
        return sum(h.relevant for h in self.hits)

    def to_dict(self, engine) -> dict:
        """The /api/similar shape: source, scope, relevant_count, results (the Hit shape plus
        piece, near_duplicate_of, copy and shared_terms)."""
        results = engine.hit_dicts(self.hits, self.as_of)
        for hit, data in zip(self.hits, results):
            data.update(self.extras[hit.clause_id])
        return {"source": self.source, "scope": self.scope, "relevant_count": self.relevant_count,
                "results": results}


def find_similar(engine, clause_id: str | None = None, text: str | None = None, k: int = 5,
                 scope: str = "other-documents", filters: Filters | None = None,
                 calibration: Calibration | None = None) -> SimilarResult:
    """Clauses on the same topic as a clause or a pasted text.

    Args: the engine; exactly one of a clause id and a text (≤ MAX_TEXT_CHARS); how many
    results (near-duplicates grouped under a result come on top); the scope (other-documents,
    other-regions, all; a pasted text has no document, so its scopes are all clauses); filters;
    a calibration (default: similar_calibration.json). Returns: a SimilarResult.
    Raises: QueryError for bad input, NotFoundError for a clause the index does not hold.
    """
    k = validate_k(k)
    if scope not in SCOPES:
        raise QueryError("bad_choice", name="scope", choices=", ".join(SCOPES), value=scope)
    if (clause_id is None) == (text is None):
        raise QueryError("similar_source")
    table = engine.table
    row = engine.row(clause_id) if clause_id is not None else None
    source_text = table.texts[row] if row is not None else pasted_text(text)
    mask = allowed_rows(engine, row, scope, filters or Filters())
    probes = make_probes(engine, source_text, row)
    judge = calibration or load_calibration()
    found: dict[int, dict] = {}  # row -> its best judgement over the probes
    for probe in probes:
        for cand in search_probe(engine, probe, mask, row, judge):
            best = found.get(cand["row"])
            if best is not None:
                cand["rank"] = min(cand["rank"], best["rank"])
                if cand["relevance"] <= best["relevance"]:
                    best["rank"] = cand["rank"]
                    continue
            found[cand["row"]] = cand
    ordered = sorted(found.values(), key=lambda c: (not c["relevant"], c["rank"], -c["relevance"]))
    chosen = group_duplicates(engine, ordered, probes[0], source_text, row, k)
    result = assemble(table, chosen, source_text, clause_id, probes, scope)
    return replace(result, as_of=filters.day) if filters is not None else result


def pasted_text(text: str) -> str:
    """A pasted passage, NFKC-normalised. Raises: QueryError when empty or too long."""
    if not text or not text.strip():
        raise QueryError("text_empty")
    if len(text) > MAX_TEXT_CHARS:
        raise QueryError("text_too_long", length=len(text), limit=MAX_TEXT_CHARS)
    text = unicodedata.normalize("NFKC", text).strip()
    if not any(ch.isalnum() for ch in text):
        raise QueryError("text_no_words")
    return text


def allowed_rows(engine, row: int | None, scope: str, filters: Filters) -> np.ndarray:
    """Rows a result may come from: the scope's (other documents, or documents of other regions,
    than the source's) and the filters'; never the source itself. Raises: QueryError."""
    table = engine.table
    mask = np.ones(len(table), dtype=bool)
    keep = document_mask(filters, table.documents)
    if keep is not None:
        mask &= keep[table.doc_of_row]
    if row is None:
        return mask
    source_doc = table.doc_of_row[row]
    if scope != "all":
        mask &= table.doc_of_row != source_doc
    region = table.documents[source_doc].region
    if scope == "other-regions" and region:
        other = np.array([d.region != region for d in table.documents], dtype=bool)
        mask &= other[table.doc_of_row]
    mask[row] = False
    return mask


def split_pieces(text: str) -> list[tuple[int, int]]:
    """Where a long text's topics are: its sentences (cut after 。；！？) and its 一是/二是 points,
    a piece shorter than MIN_PIECE_CHARS joining the next. Returns: (start, end) offsets."""
    cuts = sorted({0, len(text), *(m.start() for m in _CUT.finditer(text))})
    spans = [(a, b) for a, b in pairwise(cuts) if text[a:b].strip()]
    merged: list[tuple[int, int]] = []
    pending = None
    for start, end in spans:
        start = pending if pending is not None else start
        pending = None
        if len(plain_text(_DUTIES.sub("", text[start:end]))) < MIN_PIECE_CHARS:
            pending = start
            continue
        merged.append((start, end))
    if pending is not None:
        if merged:
            merged[-1] = (merged[-1][0], len(text))
        else:
            merged.append((pending, len(text)))
    return merged


def make_probes(engine, text: str, row: int | None) -> list[Probe]:
    """The whole source and, when it is longer than PIECE_ABOVE, each of its pieces (at most
    MAX_PIECES), embedded as passages (like the clauses they are compared with)."""
    spans = split_pieces(text)[:MAX_PIECES] if len(text) > PIECE_ABOVE else []
    if len(spans) < 2:
        spans = []
    whole = _DUTIES.sub("", text[:MAX_WHOLE_CHARS] if row is None else text)
    parts = [_DUTIES.sub("", text[s:e]).strip()[:MAX_PIECE_CHARS] for s, e in spans]
    to_embed = ([whole] if row is None else []) + parts
    vectors = engine.embedder.encode_passages(to_embed) if to_embed else np.zeros((0, 0))
    whole_vec = engine.vectors.reconstruct(int(engine.table.fids[row])) if row is not None else vectors[0]
    piece_vecs = vectors[1:] if row is None else vectors
    probes = [_probe(engine, whole, None, whole_vec, row)]
    for (start, end), part, vec in zip(spans, parts, piece_vecs):
        probes.append(_probe(engine, part, {"text": text[start:end].strip(), "start": start, "end": end}, vec, row))
    return probes


def _probe(engine, text: str, piece: dict | None, vector: np.ndarray, row: int | None) -> Probe:
    terms, idf = distinctive_terms(engine.lexical, text, in_index=row is not None)
    return Probe(text, piece, vector, terms, idf)


def distinctive_terms(lexical, text: str, in_index: bool, top: int = DISTINCTIVE_TERMS) -> tuple[tuple[str, ...], np.ndarray]:
    """The text's most distinctive BM25 tokens: weighted by IDF x (1 + log tf), the top `top`.

    Tokens no other clause holds are left out (they find nothing: for an indexed source, a
    token only it holds; for a pasted one, a token no clause holds), as are single characters
    and numbers. Args: the lexical index, the text, whether it is an indexed clause, how many.
    Returns: (terms, their IDF).
    """
    tokens = [t for t in lexical.query_tokens(text) if len(t) > 1 and not _NUMBER.match(t)]
    if not tokens:
        return (), np.zeros(0)
    unique, counts = np.unique(np.asarray(tokens), return_counts=True)
    idf = lexical.idf(list(unique))
    n = int(lexical.bm25.scores["num_docs"])
    rarest = np.log1p((n - (1 if in_index else 0) + 0.5) / ((1 if in_index else 0) + 0.5))
    useful = idf < rarest - 1e-9
    weight = np.where(useful, idf * (1 + np.log(counts)), -1.0)
    order = [i for i in np.argsort(-weight, kind="stable")[:top] if useful[i]]
    return tuple(str(unique[i]) for i in order), idf[order]


def search_probe(engine, probe: Probe, mask: np.ndarray, row: int | None, judge: Calibration) -> list[dict]:
    """One probe's candidates with both signals, fused (engine.fusion, coverage 1 when it has
    distinctive terms) and judged. Returns: one dict per candidate (row, rank, fused, relevance,
    relevant, features, shared terms), best fused first."""
    table, lexical = engine.table, engine.lexical
    fids = table.fids[mask]
    d_scores, d_fids = engine.vectors.search(probe.vector, CANDIDATES, fids)
    bm25 = np.zeros(len(table), dtype=np.float32)
    if probe.terms:
        bm25[:] = lexical.scores(list(probe.terms))
        bm25[~mask] = 0.0
    lex_top = np.argsort(-bm25, kind="stable")[:CANDIDATES]
    lex_top = lex_top[bm25[lex_top] > 0]
    rows = list(dict.fromkeys([table.row_of_fid[int(f)] for f in d_fids] + lex_top.tolist()))
    if not rows:
        return []
    known = {table.row_of_fid[int(f)]: float(s) for f, s in zip(d_fids, d_scores)}
    missing = [r for r in rows if r not in known]
    if missing:
        vecs = engine.vectors.reconstruct_batch(np.asarray(table.fids[missing], dtype=np.int64))
        known.update(zip(missing, (vecs @ probe.vector).tolist()))
    cosine = np.asarray([known[r] for r in rows], dtype=np.float32)
    raw = bm25[rows]
    fused = engine.fusion.combine(cosine, raw, 1.0 if probe.terms else 0.0)
    texts = [fold(t) for t in table.texts.take(rows)]
    present = np.array([[term in t for term in probe.terms] for t in texts], dtype=bool).reshape(len(rows), -1)
    ceiling = float(probe.idf.sum() * (lexical.k1 + 1)) or 1.0
    idf_total = float(probe.idf.sum()) or 1.0
    background = float(d_scores.mean()) if len(d_scores) else float(cosine.mean())
    order = np.argsort(-fused, kind="stable")
    rank = np.empty(len(rows))
    rank[order] = np.arange(len(rows))
    x = np.column_stack([cosine - background, np.minimum(1.0, raw / ceiling),
                         (present * probe.idf).sum(axis=1) / idf_total, fused,
                         np.full(len(rows), float(probe.piece is not None)), np.log1p(rank)])
    relevance = judge.probabilities(x)
    return [{"row": rows[i], "rank": rank, "fused": float(fused[i]), "cosine": float(cosine[i]),
             "relevance": float(relevance[i]), "relevant": bool(relevance[i] >= judge.threshold),
             "features": x[i], "piece": probe.piece, "probe": probe,
             "shared_terms": [t for t, p in zip(probe.terms, present[i]) if p]}
            for rank, i in enumerate(order)]


def group_duplicates(engine, ordered: list[dict], whole: Probe, source_text: str, row: int | None,
                     k: int) -> list[dict]:
    """The first k results, each followed by its near-duplicates among the others (≤ MAX_COPIES).

    A candidate of the source's own document that repeats the source is skipped; one of another
    document is kept, marked near_duplicate_of the source. Returns: the chosen candidates, each
    with near_duplicate_of and copy set."""
    if not ordered:
        return []
    table = engine.table
    rows = [c["row"] for c in ordered]
    vecs = engine.vectors.reconstruct_batch(np.asarray(table.fids[rows], dtype=np.int64))
    plains = [plain_text(t) for t in table.texts.take(rows)]
    source_plain = plain_text(source_text)
    source_id = table.clause_ids[row] if row is not None else SOURCE
    leaders: list[int] = []  # indexes into ordered
    groups: dict[int, list[int]] = {}
    for i, cand in enumerate(ordered):
        cand["near_duplicate_of"], cand["copy"] = None, False
        same_as_source = _near(float(vecs[i] @ whole.vector), plains[i], source_plain)
        if same_as_source and row is not None and table.doc_of_row[cand["row"]] == table.doc_of_row[row]:
            continue
        piece_plain = plain_text(cand["piece"]["text"]) if cand["piece"] else source_plain
        if same_as_source or _copies(plains[i], piece_plain):
            cand["near_duplicate_of"] = source_id
            cand["copy"] = _copies(plains[i], source_plain) or _copies(plains[i], piece_plain)
        lead = next((j for j in leaders if _near(float(vecs[i] @ vecs[j]), plains[i], plains[j])), None)
        if lead is not None:
            if len(groups[lead]) < MAX_COPIES:
                cand["near_duplicate_of"] = table.clause_ids[ordered[lead]["row"]]
                cand["copy"] = _copies(plains[i], plains[lead])
                groups[lead].append(i)
        elif len(leaders) < k:
            leaders.append(i)
            groups[i] = []
    return [ordered[j] for i in leaders for j in (i, *groups[i])]


def assemble(table, chosen: list[dict], source_text: str, clause_id: str | None, probes: list[Probe],
             scope: str) -> SimilarResult:
    """Hits (score: the fused score at the probe that found it) and their extras by clause id."""
    hits, extras = [], {}
    for cand in chosen:
        r = cand["row"]
        cid = table.clause_ids[r]
        hits.append(Hit(cid, round(cand["fused"], 4), r, table.responsibility[r], tuple(cand["shared_terms"]),
                        relevance=round(cand["relevance"], 4), relevant=cand["relevant"]))
        extras[cid] = {"piece": cand["piece"], "near_duplicate_of": cand["near_duplicate_of"],
                       "copy": cand["copy"], "shared_terms": cand["shared_terms"]}
    source = {"clause_id": clause_id, "text": source_text[:DISPLAY_CHARS],
              "pieces": [p.piece for p in probes[1:]]}
    features = np.asarray([c["features"] for c in chosen]) if chosen else np.zeros((0, len(FEATURES)))
    return SimilarResult(hits, extras, source, scope, features)


def load_calibration(path: Path = CALIBRATION) -> Calibration:
    """similar_calibration.json (bench/bench_similar.py --fit writes it), or the default
    judgement when it is absent. Raises: ValueError when it was fitted on other features."""
    if not path.exists():
        return _DEFAULT
    data = json.loads(path.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{path} was fitted on features {data['features']}, similar.py computes {FEATURES}")
    return Calibration(FEATURES, np.asarray(data["mean"]), np.asarray(data["scale"]), np.asarray(data["coef"]),
                       float(data["intercept"]), float(data["threshold"]), data.get("model", ""))


def _near(cosine: float, a: str, b: str) -> bool:
    """Whether two clauses (their cosine and plain texts) are near-duplicates."""
    if a == b:
        return True
    if cosine < NEAR_DUPLICATE or not a or not b:
        return False
    grams_a, grams_b = {a[i:i + 2] for i in range(len(a) - 1)}, {b[i:i + 2] for i in range(len(b) - 1)}
    return 2 * len(grams_a & grams_b) / max(1, len(grams_a) + len(grams_b)) >= SAME_WORDS


def _copies(a: str, b: str) -> bool:
    """Whether two plain texts share the same words: identical, or one (≥ MIN_COPY_CHARS)
    holding the other whole."""
    if a == b:
        return bool(a)
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return len(short) >= MIN_COPY_CHARS and short in long_
