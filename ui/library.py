"""The Library tab's work: add uploaded files to the index, remove articles, list them.

Uploads are copied into ``<home>/uploads/`` so the index can always point back at a file
that still exists; a file the index turns down (binary, empty, duplicate) is not kept.
"""

from __future__ import annotations

import shutil
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


def add_uploads(files: list[Path], settings: Settings, pipeline: Pipeline) -> UploadResult:
    """Check, copy and index uploaded files; every file gets one line in the result."""
    result = UploadResult()
    limit = int(settings.max_upload_mb * 1e6)
    dest = uploads_dir(settings)
    dest.mkdir(parents=True, exist_ok=True)
    saved: dict[Path, str] = {}
    for f in files:
        name = f.name
        if f.suffix.lower() not in TEXT_SUFFIXES:
            result.problems.append(f"{name}: not added, only {', '.join(UPLOAD_SUFFIXES)} files can be uploaded")
        elif f.stat().st_size > limit:
            result.problems.append(f"{name}: not added, larger than the {settings.max_upload_mb:g} MB upload limit")
        else:
            target = dest / name
            if not (target.exists() and target.read_bytes() == f.read_bytes()):
                shutil.copyfile(f, target)
            saved[target.resolve()] = name
    if not saved:
        return result
    store = pipeline.open_store()
    before = store.records()
    report = build(list(saved), settings, prune=False, progress=True, pipeline=pipeline,
                   on_skip=lambda s: None)
    rejected = set()
    for s in report.skipped:
        path = Path(s.path.split(" (id ")[0]).resolve()
        rejected.add(path)
        result.problems.append(f"{saved.get(path, path.name)}: not added, {s.reason}")
    after = store.records()
    by_path = {Path(r.path).resolve(): r for r in after.values()}
    for path, name in saved.items():
        record = by_path.get(path)
        if path in rejected or record is None:
            path.unlink(missing_ok=True)
        elif record.id in report.added:
            result.added.append(f"{name} ({record.chunks} chunks)")
        elif record.id in report.updated:
            result.updated.append(f"{name} ({record.chunks} chunks)")
        elif record.id in before:
            result.unchanged.append(name)
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
