"""The Library tab's work: add uploaded files to the index, remove articles, list them.

Uploads are copied into ``<home>/uploads/`` so the index can always point back at a file
that still exists; a file the index turns down (binary, empty, duplicate) is not kept, and an
upload never replaces a different article: only an explicit delete removes one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from index.build import Pipeline, build
from index.loaders import TEXT_SUFFIXES
from index.store import ArticleRecord, IndexStore
from settings import Settings

UPLOAD_SUFFIXES = sorted(TEXT_SUFFIXES)


@dataclass
class UploadResult:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def message(self) -> str:
        lines = []
        if self.added:
            lines.append("Added: " + ", ".join(self.added))
        if self.updated:
            lines.append("Updated: " + ", ".join(self.updated))
        if self.unchanged:
            lines.append("Already in the index, not added again: " + ", ".join(self.unchanged))
        lines += self.problems
        return "\n".join(lines) or "Nothing to add."


def uploads_dir(settings: Settings) -> Path:
    return settings.home / "uploads"


def _place(upload: Path, dest: Path) -> tuple[Path, bool]:
    """Where an upload is kept: the file already there with the same bytes, else a free name.

    A different file of the same name is never overwritten (that would replace its article):
    ``report.txt`` becomes ``report-2.txt``. Returns the path and whether this call created it.
    """
    data = upload.read_bytes()
    target, n = dest / upload.name, 2
    while True:
        try:
            with target.open("xb") as fh:  # exclusive: two uploads at once never share a file
                fh.write(data)
            return target.resolve(), True
        except FileExistsError:
            if target.read_bytes() == data:
                return target.resolve(), False
        target, n = dest / f"{Path(upload.name).stem}-{n}{Path(upload.name).suffix}", n + 1


def _chunks(n: int) -> str:
    return f"{n} chunk" if n == 1 else f"{n} chunks"


def add_uploads(files: list[Path], settings: Settings, pipeline: Pipeline) -> UploadResult:
    """Check, copy and index uploaded files; every file gets one line in the result.

    A file the index turns down, or a build that fails, leaves no copy behind in ``uploads/``.
    """
    result = UploadResult()
    limit = int(settings.max_upload_mb * 1e6)
    dest = uploads_dir(settings)
    dest.mkdir(parents=True, exist_ok=True)
    saved: dict[Path, str] = {}
    created: set[Path] = set()
    for f in files:
        name = f.name
        if f.suffix.lower() not in TEXT_SUFFIXES:
            result.problems.append(f"{name}: not added, only {', '.join(UPLOAD_SUFFIXES)} files can be uploaded")
        elif f.stat().st_size > limit:
            result.problems.append(f"{name}: not added, larger than the {settings.max_upload_mb:g} MB upload limit")
        else:
            target, new = _place(f, dest)
            saved[target] = name if target.name == name else f"{name} (kept as {target.name}: a different {name} " \
                                                               "is already in the library)"
            if new:
                created.add(target)
    if not saved:
        return result
    try:
        report = build(list(saved), settings, prune=False, progress=True, pipeline=pipeline, on_skip=lambda _: None)
    except BaseException:
        for path in created:
            path.unlink(missing_ok=True)
        raise
    store = pipeline.open_store()
    for o in report.outcomes:
        path = Path(o.path).resolve()
        name = saved.get(path, path.name)
        if o.status in ("skipped", "failed"):
            result.problems.append(f"{name}: not added, {o.reason}")
            if path in created:
                path.unlink(missing_ok=True)
            continue
        record = store.record(o.article_id) if o.status in ("added", "updated") else None
        size = f" ({_chunks(record.chunks)})" if record else ""
        {"added": result.added, "updated": result.updated, "unchanged": result.unchanged}.get(
            o.status, result.problems).append(f"{name}{size}")
    return result


def remove_article(store: IndexStore, article_id: str, settings: Settings) -> str:
    record = store.record(article_id)
    if record is None:
        return f"No article {article_id!r} in the index."
    store.delete_article(article_id)
    path = Path(record.path)
    if path.parent.resolve() == uploads_dir(settings).resolve():
        path.unlink(missing_ok=True)
    return f"Removed {record.title or article_id}."


def articles(store: IndexStore) -> list[ArticleRecord]:
    """The indexed articles, oldest first."""
    return sorted(store.records().values(), key=lambda r: (r.published, r.title))
