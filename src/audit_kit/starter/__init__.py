"""The starter project ``audit-kit init`` writes: the layout a user works in.

::

    DIR/
      .gitignore            real exports and audit outputs never enter git
      audits/config.yaml    the audit config: which exports, under which policy
      audits/policy.yaml    the packaged default policy (the demo company's), to edit
      audits/accepted.yaml  accepted findings (none yet; the format in its comments)
      data/README.md        what goes under data/
      data/raw/             the company's real exports (git-ignored)

The files are this package's resources. In the source tree ``audits/policy.yaml``,
``audits/accepted.yaml`` and ``data/README.md`` are symlinks to the repository's own
files, so there is one copy of each; a built wheel holds their contents.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from audit_kit.errors import OutputError

#: path in the new project -> resource of this package
FILES = {
    ".gitignore": "gitignore",
    "audits/config.yaml": "audits/config.yaml",
    "audits/policy.yaml": "audits/policy.yaml",
    "audits/accepted.yaml": "audits/accepted.yaml",
    "data/README.md": "data/README.md",
}
#: folders of the new project, owner-only (data/raw/ will hold personal data)
DIRS = ("audits", "data", "data/raw")


def resource(name: str) -> bytes:
    """The packaged starter file *name* (a value of :data:`FILES`)."""
    return resources.files(__name__).joinpath(name).read_bytes()


def init_project(dest: str | Path) -> list[Path]:
    """Write the starter project into *dest*, a new or empty folder; return its files.

    A folder that holds anything is refused, so no file of the user's is ever
    overwritten (files are created exclusively, too). On a failure midway, what this
    call created is removed again, and an existing empty *dest* is left as it was.
    """
    dest = Path(dest)
    if dest.exists() or dest.is_symlink():
        if not dest.is_dir():
            raise OutputError("exists and is not a folder; give a new or empty folder",
                              file=dest)
        if any(dest.iterdir()):
            raise OutputError("folder is not empty; audit-kit init writes only into a new "
                              "or empty folder, so it never overwrites a file", file=dest)
    created: list[Path] = []
    try:
        for d in reversed([d for d in (dest, *dest.parents) if not d.exists()]):
            d.mkdir(mode=0o700)
            created.append(d)
        for name in DIRS:
            (dest / name).mkdir(mode=0o700)
            created.append(dest / name)
        for name, res in FILES.items():
            path = dest / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            created.append(path)
            with os.fdopen(fd, "wb") as f:
                f.write(resource(res))
    except OSError as exc:
        for p in reversed(created):
            if p.is_dir():
                p.rmdir()
            else:
                p.unlink()
        raise OutputError(f"cannot write the starter project ({exc.strerror or 'error'})",
                          file=exc.filename or dest) from None
    return [dest / name for name in FILES]
