"""Set-based loading of a quote-free CSV register (the tabular loaders' fast path).

Why: the row path spends its time in Python per row, mostly normalising distinct phone
numbers one call at a time. Here DuckDB splits, strips, checks and normalises the whole
file in a few statements;
Python sees only the *distinct* values SQL has no exact twin for (dates, identity-code
checks, phones outside the usual Finnish shapes, non-ASCII e-mails) and its answers are
joined back.

Used only when the decoded text has no quote character and no NUL: then CSV is exactly
"records end at CRLF, CR or LF, fields at the delimiter", and this path writes the row
path's tables row for row: same raw, records and fields rows, record_refs and rejects
(tests/test_tabular.py loads every fixture through both paths and compares). Files with
quotes, mixed encodings, and XLSX keep the row path in :mod:`audit_kit.loaders.tabular`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

import pyarrow as pa
import pyarrow.compute as pc

from audit_kit import normalise
from audit_kit.loaders import LoadResult
from audit_kit.loaders.columns import short_rows_note
from audit_kit.loaders.contact_points import PhoneInfo
from audit_kit.normalise_sql import (
    DIGIT,
    WS_CLASS,
    email_sql,
    fi_national_sql,
    fi_phone_sql,
    is_ascii_sql,
    quote,
    strip_sql,
)
from audit_kit.warehouse import FileRef, SourceSink, raw_table_name

#: a date cell that is not a date: kept as this field class, the record's date left empty
UNREAD_DATE = "unread_date"

#: RE2 superset prefilters: text that cannot match skips the Python check
#: (normalise._HETU_CANDIDATE without its look-arounds; tabular._HETU_SHAPE unanchored)
_HETU_CANDIDATE_RE2 = (
    f"[0-3]{DIGIT}[01]{DIGIT}{{3}}[-+A-FYXWVUa-fyxwvu]{DIGIT}{{3}}[0-9A-Ya-y]")
_HETU_SHAPE_RE2 = f"{DIGIT}{{6}}[-+A-FU-Ya-fu-y]{DIGIT}{{3}}[0-9A-Ya-y]"

_ids = itertools.count()


def _first_line(text: str) -> str:
    """Up to the first CR or LF (without copying the rest of a 30 MB text)."""
    end = text.find("\n")
    end = len(text) if end < 0 else end
    cr = text.find("\r", 0, end)
    return text[: end if cr < 0 else cr]


def utf8_if_applies(text: str, delim: str, mixed: bool) -> bytes | None:
    """*text* as UTF-8 when the set-based path reads it exactly as the csv module would,
    else None (the row path)."""
    first = _first_line(text)
    if (
        mixed
        or len(delim) != 1
        or delim in '\r\n"'
        or not first  # csv reads an empty first line as no header at all
        or '"' in text
        or "\x00" in text
    ):
        return None
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (only an exotic `encoding:` makes one)
        return None


def header(text: str, delim: str) -> list[str]:
    """The header row as the row path reads it (stripped cells of the first line)."""
    return [h.strip() for h in _first_line(text).split(delim)]


def _lines(data: bytes) -> pa.Table:
    """(n, line) for every physical line after the header; CRLF, CR and LF end a line
    (what csv reads through ``newline=""``). Split by Arrow, not by a Python loop."""
    n_cr = data.count(b"\r")
    if n_cr and n_cr == data.count(b"\r\n") == data.count(b"\n"):
        sep = "\r\n"  # Excel's CRLF everywhere: split on it as it is
    else:
        sep = "\n"
        if n_cr:
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    offsets = pa.array([0, len(data)], pa.int64()).buffers()[1]
    whole = pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(data))
    lines = pc.list_flatten(pc.split_pattern(whole, sep))[1:]
    return pa.table({"n": pa.array(range(2, len(lines) + 2), pa.int64()), "line": lines})


def _re2_char(c: str) -> str:
    return f"\\x{{{ord(c):x}}}"


class _Run:
    """One file's statements on the warehouse connection, with its own temp names."""

    def __init__(self, sink: SourceSink, f: FileRef, plan) -> None:
        self.sink, self.con, self.f, self.plan = sink, sink.con, f, plan
        self.prefix = f"_ak_tab{next(_ids)}_"
        self.temps: list[str] = []
        self.views: list[str] = []

    def name(self, what: str) -> str:
        return self.prefix + what

    def table(self, what: str, select: str) -> str:
        name = self.name(what)
        self.con.execute(f"CREATE TEMP TABLE {name} AS {select}")
        self.temps.append(name)
        return name

    def arrow(self, what: str, data: pa.Table) -> str:
        name = self.name(what)
        self.con.register(name, data)
        self.views.append(name)
        return name

    def close(self) -> None:
        for name in self.temps:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        for name in self.views:
            self.con.unregister(name)

    def python_map(
        self, what: str, select: str, fn: Callable[[str], object], typ: pa.DataType
    ) -> str:
        """A (t, v) table: *fn* of each distinct text *select* returns (Python's answer)."""
        texts = [r[0] for r in self.con.execute(select).fetchall()]
        return self.arrow(
            what,
            pa.table({"t": pa.array(texts, pa.string()), "v": pa.array(map(fn, texts), typ)}),
        )


def _distinct(table: str, cols: Iterable[int], where: str = "") -> str:
    """Distinct non-empty texts of columns *cols* (optionally filtered on ``t``)."""
    union = " UNION ".join(f"SELECT c{j} AS t FROM {table}" for j in cols)
    return f"SELECT DISTINCT t FROM ({union}) WHERE t <> ''{' AND ' + where if where else ''}"


def _first(cols: list[int] | None, alias: str = "g") -> str:
    """The first non-empty text of *cols* (tabular._first)."""
    if not cols:
        return "NULL::VARCHAR"
    return "coalesce(" + ", ".join(f"nullif({alias}.c{j}, '')" for j in cols) + ")"


def _cells(run: _Run, lines: str, delim: str, width: int) -> str:
    """Non-blank lines split into stripped fields (the csv module's rows), one column per
    header column, with the row's own field count (``width``: a longer row is a reject,
    a shorter one padded with empty cells)."""
    d = _re2_char(delim)
    adjacent = f"(?:^|{d})[{WS_CLASS}]|[{WS_CLASS}](?:{d}|$)"
    blank = f"(?:[{WS_CLASS}]|{d})*"
    split = f"string_split(line, {quote(delim)})"
    # only lines with a field that starts or ends with whitespace pay for the strips
    fields = (
        f"CASE WHEN regexp_matches(line, {quote(adjacent)}) "
        f"THEN list_transform({split}, lambda x: {strip_sql('x')}) ELSE {split} END"
    )
    # a short row's missing last cells are empty (list indexing past the end is NULL)
    cols = ", ".join(f"coalesce(v[{j + 1}], '') AS c{j}" for j in range(width))
    return run.table(
        "cells",
        f"SELECT n, len(v) AS width, {cols} FROM (SELECT n, {fields} AS v FROM {lines} "
        f"WHERE NOT regexp_full_match(line, {quote(blank)}))",
    )


def _date_check(run: _Run, table: str) -> tuple[str, list[str]]:
    """Joins and the select items per date column from the distinct texts of each date
    column through normalise.date (what the row path calls): the date ``d{j}`` and
    ``u{j}``, whether the text is not a date (an ``unread_date`` field; the record stays)."""

    def parse(t: str) -> dict:
        try:
            return {"d": normalise.date(t), "ok": True}
        except ValueError:
            return {"d": None, "ok": False}

    joins, sel = [], []
    typ = pa.struct([("d", pa.date32()), ("ok", pa.bool_())])
    for j, _s, _h in run.plan.date_cols:
        m = run.python_map(f"d{j}", _distinct(table, [j]) + " UNION SELECT ''", parse, typ)
        joins.append(f"LEFT JOIN {m} m{j} ON m{j}.t = g.c{j}")  # no match: a ragged row
        sel += [f"m{j}.v.d AS d{j}", f"coalesce(NOT m{j}.v.ok, FALSE) AS u{j}"]
    return " ".join(joins), sel


def _phones(run: _Run, table: str) -> str | None:
    """(t, e164, kind) for every distinct phone text: SQL for the usual Finnish shapes,
    contact_points.PhoneInfo (normalise.phone + phone_kind) for the rest."""
    cols = _phone_cols(run.plan)
    if not cols:
        return None
    covered, nsn = fi_national_sql("t")
    e164, kind = fi_phone_sql("nsn")
    texts = run.table(
        "ptexts", f"SELECT t, {covered} AS ok, {nsn} AS nsn FROM ({_distinct(table, cols)})"
    )
    info = PhoneInfo()
    typ = pa.struct([("e164", pa.string()), ("kind", pa.string())])
    rest = run.python_map(
        "prest",
        f"SELECT t FROM {texts} WHERE NOT ok",
        lambda t: dict(zip(("e164", "kind"), info[t], strict=True)),
        typ,
    )
    return run.table(
        "phones",
        f"SELECT t, {e164} AS e164, {kind} AS kind FROM {texts} WHERE ok "
        f"UNION ALL SELECT t, v.e164, v.kind FROM {rest}",
    )


def _phone_cols(plan) -> list[int]:
    """Phone columns, work phones first: the record's phone is the first non-empty."""
    return [*plan.by_sem.get("phone", []), *plan.by_sem.get("mobile_phone", [])]


def _insert(run: _Run, table: str, query: str) -> None:
    """INSERT the rows of *query* (record_ref and the table's own columns, by name) with
    this source's provenance; row order is the query's. ``records`` and ``fields`` go
    through the sink (their rows carry the file's id); a raw table and ``rejects`` by
    position (a header may hold any character, a NUL byte too)."""
    if table in ("records", "fields"):
        run.sink.insert_query(table, run.f, query)
        return
    names = run.con.execute(f"SELECT * FROM ({query}) LIMIT 0").description
    cols = [d[0] for d in names]
    sink, f = run.sink, run.f
    prov = {"source": sink.source, "source_kind": sink.kind, "file": f.name}
    if table != "rejects":
        prov.update(system=sink.system, sha256=f.sha256)
    target = ", ".join('"' + c.replace('"', '""') + '"' for c in [*prov, *cols])
    run.con.execute(
        f'INSERT INTO "{table}" ({target})'
        f" SELECT {', '.join('?' * len(prov))}, q.* "
        f"FROM ({query}) q",
        list(prov.values()),
    )


def _derived_sql(
    run: _Run, cells: str, whole: str, phones: str | None, hetu_text: tuple[str, ...]
) -> str:
    """What each row takes from the distinct-value maps, narrow and in line order (the
    sort moves only these columns): dates and the reject reason, the business-ID and
    phone checks that pick a cell's field class, identity codes per text cell, the
    record's e-mail and phone. A row of every cells row (*whole*: the well-formed ones,
    whose values the maps hold)."""
    plan, by = run.plan, run.plan.by_sem
    joins, date_sel = _date_check(run, whole)
    sel = ["g.n", "NULL::VARCHAR AS bad", *date_sel]
    bizhetu = run.name("bizhetu")
    phone_cases = []
    for j in _phone_cols(plan) if phones else []:
        joins += f" LEFT JOIN {phones} p{j} ON p{j}.t = g.c{j}"
        phone_cases.append(f"WHEN g.c{j} <> '' THEN p{j}.e164")
    for j in plan.field_cols:
        if plan.sem[j] == "business_id":
            sel.append(f"g.c{j} IN (SELECT t FROM {bizhetu}) AS x{j}")
        elif _mobile_check(plan, j, phones):
            sel.append(f"p{j}.kind = 'mobile' AS x{j}")
        if plan.classes[j] in hetu_text:
            joins += f" LEFT JOIN {run.name('hetus')} h{j} ON h{j}.t = g.c{j}"
            sel.append(f"coalesce(h{j}.v, 0) AS h{j}")
    email = _first(by.get("email"))
    joins += f" LEFT JOIN {run.name('emails')} em ON em.t = {email}"
    sel += [
        f"{_first(by.get('business_id'))} IN (SELECT t FROM {bizhetu}) AS r_biz_hetu",
        f"CASE WHEN {is_ascii_sql(email)} THEN {email_sql(email)} ELSE em.v END AS r_email",
        f"CASE {' '.join(phone_cases)} END AS r_phone" if phone_cases else "NULL AS r_phone",
    ]
    return f"SELECT {', '.join(sel)} FROM {cells} g {joins} ORDER BY g.n"


def _mobile_check(plan, j: int, phones: str | None) -> bool:
    """Whether column *j*'s class is work_phone or mobile_phone by the number (row path)."""
    return bool(phones) and plan.sem[j] in ("phone", "mobile_phone") and (
        plan.classes[j] == "work_phone"
    )


def _good(run: _Run, cells: str, derived: str) -> str:
    """The well-formed rows with their derived columns, as a FROM item: side by side by
    position (both are in line order), or joined and sorted if that ever failed."""
    pair = f"{cells} c POSITIONAL JOIN {derived} d"
    apart = f"SELECT count(*) FROM {pair} WHERE c.n IS DISTINCT FROM d.n"
    if not run.con.execute(apart).fetchone()[0]:
        return f"(SELECT c.*, d.* EXCLUDE (n) FROM {pair})"
    joined = f"{cells} c JOIN {derived} d ON c.n = d.n"
    table = run.table("good", f"SELECT c.*, d.* EXCLUDE (n) FROM {joined} ORDER BY c.n")
    return f"(SELECT * FROM {table})"


def _maps(run: _Run, cells: str, is_hetu, hetu_text: tuple[str, ...]) -> None:
    """The distinct-value answers only Python has: business IDs that are identity codes,
    identity codes per free-text value, non-ASCII e-mail addresses."""
    plan, none = run.plan, "SELECT NULL::VARCHAR LIMIT 0"
    biz_cols = plan.by_sem.get("business_id", [])
    biz = _distinct(cells, biz_cols, f"regexp_matches(t, {quote(_HETU_SHAPE_RE2)})")
    texts = [t for (t,) in run.con.execute(biz if biz_cols else none).fetchall()]
    run.arrow("bizhetu", pa.table({"t": pa.array(filter(is_hetu, texts), pa.string())}))
    text_cols = [j for j in plan.field_cols if plan.classes[j] in hetu_text]
    cand = _distinct(cells, text_cols, f"regexp_matches(t, {quote(_HETU_CANDIDATE_RE2)})")
    run.python_map(
        "hetus",
        cand if text_cols else none,
        lambda t: len(normalise.find_hetus(t)),
        pa.int64(),
    )
    email = _first(plan.by_sem.get("email"))
    run.python_map(
        "emails",
        f"SELECT DISTINCT {email} FROM {cells} g WHERE NOT {is_ascii_sql(email)}",
        normalise.email,
        pa.string(),
    )


def _fields_sql(run: _Run, good: str, hetu_text: tuple[str, ...]) -> str:
    """Field rows in the row path's order (row, column, a cell's identity codes after
    it) by unnesting each row's cells: no sort of the field rows."""
    plan, parts = run.plan, []
    dates = {j for j, _s, _h in plan.date_cols}
    for j in sorted(dates.union(plan.field_cols)):  # in column order, as the row path
        label, field = quote(plan.headers[j]), quote(plan.classes[j])
        if j in dates:
            cell = f"{{'field': {quote(UNREAD_DATE)}, 'label': {label}, 'value': c{j}}}"
            parts.append(f"CASE WHEN u{j} THEN [{cell}] ELSE [] END")
            continue
        if plan.sem[j] == "business_id":
            field = f"CASE WHEN x{j} THEN 'hetu' ELSE {field} END"
        elif _mobile_check(plan, j, "x"):
            field = f"CASE WHEN x{j} THEN 'mobile_phone' ELSE {field} END"
        parts.append(f"[{{'field': {field}, 'label': {label}, 'value': c{j}}}]")
        if plan.classes[j] in hetu_text:
            code = f"{{'field': 'hetu', 'label': {label}, 'value': '[identity code]'}}"
            parts.append(f"list_transform(range(h{j}), lambda i: {code})")
    return (
        f"SELECT 'line ' || n AS record_ref, x.field AS field, x.label AS label, "
        f"x.value AS value FROM (SELECT n, unnest(flatten([{', '.join(parts)}])) AS x "
        f"FROM {good} g WHERE bad IS NULL) WHERE x.value <> ''"
    )


def _text_maps(run: _Run, whole: str, text_columns) -> tuple[str, str]:
    """Joins to the records columns read from text (*text_columns*: tabular's
    TEXT_COLUMNS) and their select items: each distinct first non-empty text of the
    semantic column through the row path's reader."""
    plan, joins, sel = run.plan, "", ""
    for k, sem_col in enumerate(plan.spec.texts):
        tc = text_columns[sem_col]
        first = _first(plan.by_sem.get(sem_col))
        if first.startswith("NULL"):
            sel += f", NULL::{'BOOLEAN' if tc.type == pa.bool_() else 'VARCHAR'} AS {tc.column}"
            continue
        m = run.python_map(f"x{k}", f"SELECT DISTINCT {first} FROM {whole} g "
                           f"WHERE {first} IS NOT NULL", tc.read, tc.type)
        joins += f" LEFT JOIN {m} t{k} ON t{k}.t = {first}"
        sel += f", t{k}.v AS {tc.column}"
    return joins, sel


def _records_sql(run: _Run, good: str, texts: tuple[str, str] = ("", "")) -> str:
    plan, by = run.plan, run.plan.by_sem
    dates = ""
    for sem_col, col in plan.spec.dates.items():
        last = [j for j, s, _h in plan.date_cols if s == sem_col][-1:]  # the row path's last wins
        dates += f", {'d' + str(last[0]) if last else 'NULL::DATE'} AS {col}"
    person = (
        f"coalesce({_first(by.get('person_name'))}, nullif(concat_ws(' ', "
        f"{_first(by.get('first_name'))}, {_first(by.get('last_name'))}), ''))"
    )
    biz = _first(by.get("business_id"))
    return (
        f"SELECT 'line ' || n AS record_ref, {quote(plan.spec.role)} AS role, "
        f"{person} AS person_name, {_first(by.get('org_name'))} AS org_name, "
        f"CASE WHEN NOT coalesce(r_biz_hetu, FALSE) THEN {biz} END AS business_id, "
        f"r_email AS email, r_phone AS phone{dates}{texts[1]} FROM {good} g{texts[0]} "
        f"WHERE bad IS NULL{' ORDER BY g.n' if texts[0] else ''}"  # joins keep no order
    )


class Rejects(list):
    """What the csv-module reader rejects (ragged rows, lines in another encoding, an
    unclosed quote), kept as (line, reason) to merge with the date rejects by line."""

    def reject(self, f: FileRef, record_ref: str, reason: str) -> None:
        self.append((int(record_ref.removeprefix("line ")), reason))


def takes_rows(text: str) -> bool:
    """Whether :func:`load` takes the csv module's rows of *text* (no NUL: DuckDB text
    must not hold one); else the row path."""
    return "\x00" not in text


def load(
    lines_or_rows: bytes | tuple[Iterable[tuple[str, list[str]]], Rejects],
    delim: str,
    plan,
    sink: SourceSink,
    f: FileRef,
    res: LoadResult,
    is_hetu: Callable[[str], bool],
    hetu_text: tuple[str, ...],
    text_columns=None,
) -> None:
    """Load a CSV (the header is *plan*'s) into raw, records, fields and rejects.

    *lines_or_rows* is the UTF-8 text (:func:`utf8_if_applies`: DuckDB splits its
    lines) or, for a CSV the csv module has to read (quotes, mixed encodings), its
    well-formed rows from ``tabular._csv_rows`` (which counts what it reads) and the
    :class:`Rejects` it fills while they are read. *is_hetu* and *hetu_text* are
    tabular's business-ID check and the field classes searched for identity codes;
    *text_columns* its readers of the rights registers' text columns."""
    run = _Run(sink, f, plan)
    sink.flush()  # rows buffered by an earlier file go first
    try:
        found = None
        if isinstance(lines_or_rows, bytes):
            lines = run.arrow("lines", _lines(lines_or_rows))
            cells = _cells(run, lines, delim, len(plan.headers))
            res.records_read += run.con.execute(f"SELECT count(*) FROM {cells}").fetchone()[0]
        else:
            cells, found = _cells_from_rows(run, *lines_or_rows)
        _write(run, cells, res, is_hetu, hetu_text, found, text_columns or {})
    finally:
        run.close()


def _cells_from_rows(
    run: _Run, rows: Iterable[tuple[str, list[str]]], rejects: Rejects
) -> tuple[str, str]:
    """The cells table from the csv module's rows (stripped in SQL) and the table of the
    reader's rejects."""
    width = len(run.plan.headers)
    kept = list(rows)
    columns = list(zip(*(v for _r, v in kept), strict=True)) if kept else [()] * width
    table = pa.table(
        {
            "n": pa.array([int(r.removeprefix("line ")) for r, _v in kept], pa.int64()),
            **{f"c{j}": pa.array(col, pa.string()) for j, col in enumerate(columns)},
        }
    )
    del kept, columns
    source = run.arrow("rows", table)
    stripped = ", ".join(f"{strip_sql(f'c{j}')} AS c{j}" for j in range(width))
    cells = run.table("cells", f"SELECT n, {width} AS width, {stripped} FROM {source}")
    found = run.arrow(
        "rejects",
        pa.table(
            {
                "n": pa.array([n for n, _ in rejects], pa.int64()),
                "reason": pa.array([r for _, r in rejects], pa.string()),
            }
        ),
    )
    return cells, found


def _write(
    run: _Run,
    cells: str,
    res: LoadResult,
    is_hetu: Callable[[str], bool],
    hetu_text: tuple[str, ...],
    found: str | None,
    text_columns,
) -> None:
    """Raw, records, fields and rejects (in line order, with the reader's *found*) from
    the cells table."""
    plan, sink = run.plan, run.sink
    width = len(plan.headers)
    whole = f"(SELECT * FROM {cells} WHERE width <= {width})"  # what the maps look up
    _maps(run, whole, is_hetu, hetu_text)
    phones = _phones(run, whole)
    derived = run.table("derived", _derived_sql(run, cells, whole, phones, hetu_text))
    good = f"(SELECT * FROM {_good(run, cells, derived)} WHERE width <= {width})"
    if found is None:  # (the csv module's rows come padded, with its note)
        short = f"SELECT count(*) FROM {cells} WHERE width < {width}"
        padded = run.con.execute(short).fetchone()[0]
        if padded:
            res.notes.append(short_rows_note(run.f.path, padded))
    before = sink.con.execute("SELECT count(*) FROM rejects").fetchone()[0]
    _insert(
        run,
        "rejects",
        f"SELECT 'line ' || n AS record_ref, reason FROM ("
        f"SELECT n, width || ' fields where the header has {width}' AS reason "
        f"FROM {cells} WHERE width > {width} "
        f"UNION ALL SELECT n, bad FROM {good} WHERE bad IS NOT NULL"
        + (f" UNION ALL SELECT n, reason FROM {found}" if found else "")
        + ") ORDER BY n",
    )
    sink.rejected += sink.con.execute("SELECT count(*) FROM rejects").fetchone()[0] - before
    res.records_loaded += run.con.execute(
        f"SELECT count(*) FROM {good} WHERE bad IS NULL"
    ).fetchone()[0]
    raw_cols = ", ".join(
        f'c{j} AS "{name.replace(chr(34), chr(34) * 2)}"' for j, name in enumerate(plan.raw_names)
    )
    _insert(
        run,
        raw_table_name(sink.source),
        f"SELECT 'line ' || n AS record_ref, {raw_cols} FROM {good} WHERE bad IS NULL",
    )
    _insert(run, "fields", _fields_sql(run, good, hetu_text))
    _insert(run, "records", _records_sql(run, good, _text_maps(run, whole, text_columns)))
