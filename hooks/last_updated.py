""""Last updated" on every page, and the sitemap's dates: the day of the last commit that
changed what the page says. That is its Markdown file, and for a page with figures
worked out at build time (`{{ ... }}`, hooks/figures.py) also the engine folder, whose
policy.toml, presets and timeline wording those figures come from.

Read with one `git log` for the docs folder and one for the engine at the start of each
build. Material shows `page.meta.git_revision_date_localized` under the page's content.

Why not mkdocs-git-revision-date-localized: it asks git for `--diff-filter=r`
("everything but renames"), which Debian 12's git 2.39 answers with no commits at all,
so every page showed the build date as its last update.

A page whose file git does not know (a copy of the sources without .git, a new page not
yet committed) shows no date rather than the build date, which would claim an update
that may not have happened.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from html import escape
from pathlib import Path

COMMIT = "\x00commit "
FIGURE = re.compile(r"\{\{.+?\}\}")  # a placeholder hooks/figures.py fills (this hook runs before it)
ENGINE = Path(__file__).resolve().parent.parent / "calculator"
LAST_COMMITS: dict[Path, dt.date] = {}  # absolute path of a file -> the day of its newest commit


def on_pre_build(config, **kwargs) -> None:
    LAST_COMMITS.clear()
    for folder in (Path(config["docs_dir"]), ENGINE):
        LAST_COMMITS.update(last_commit_days(folder))


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    day = LAST_COMMITS.get(Path(page.file.abs_src_path).resolve())
    if day is not None and FIGURE.search(markdown):
        day = max([day, *(d for path, d in LAST_COMMITS.items() if path.is_relative_to(ENGINE))])
    if day is not None:
        page.update_date = day.isoformat()  # the sitemap's <lastmod> (the build day otherwise)
        # Material's source-file partial prints this value as it is.
        page.meta["git_revision_date_localized"] = (
            f'Last updated <time class="last-updated" datetime="{day.isoformat()}">{escape(long_date(day))}</time>')
    return markdown


def last_commit_days(folder: Path) -> dict[Path, dt.date]:
    """Each file under `folder` that git has history for, with the UTC day of its newest commit."""
    try:
        top = git(folder, "rev-parse", "--show-toplevel").strip()
        log = git(folder, "-c", "core.quotepath=off", "log", "--no-renames", "--name-only",
                  "--format=%x00commit %ct", "--", ".")
    except (OSError, subprocess.CalledProcessError):
        return {}  # no git, or not a repository: no dates
    days: dict[Path, dt.date] = {}
    day = None
    for line in log.splitlines():
        if line.startswith(COMMIT):
            day = dt.datetime.fromtimestamp(int(line[len(COMMIT):]), dt.timezone.utc).date()
        elif line and day is not None:
            days.setdefault((Path(top) / line).resolve(), day)  # newest first: keep the first seen
    return days


def git(folder: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True).stdout


def long_date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"
