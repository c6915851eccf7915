"""The case workspace in the browser (``leaktrace serve``): a thin shell over the library.

```python
from leaktrace.serve import Workspace, create_app

ws = Workspace.open(Path("workspace/"))            # SQLite workspace.db, or db="postgresql://…"
ws.add_user("王警官", "admin", password)
app = create_app(ws)                               # FastAPI; run it with uvicorn
```

Cases are folders under ``workspace/cases/`` laid out as DESIGN.md says (``case.toml``,
``evidence/``, ``work/``, ``reports/``); users, memberships, jobs and the hash-chained audit log
are in the database. See ``docs/serve.md``.
"""

from __future__ import annotations

from leaktrace.serve._app import create_app
from leaktrace.serve._store import ROLES, User, Workspace, WorkspaceError

__all__ = ["ROLES", "User", "Workspace", "WorkspaceError", "create_app"]
