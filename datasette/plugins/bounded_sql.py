"""What one SQL query on the site may take and see (one plugin, one job: every connection
Datasette opens, public and private, is bounded before anyone queries it).

Anyone may send SQL (`/archive.json?sql=...`), and Datasette's time limit does not bound memory:
`select zeroblob(200000000)` made one anonymous request take gigabytes. So:

- no value longer than ``MAX_VALUE`` bytes can be made (SQLite's own length limit: the query
  fails before the value exists), and SQLite's heap in the whole process is capped at
  ``MAX_HEAP`` (a sort or DISTINCT over millions of generated rows fails, the site stays up);
- no statement hands Python more than ``MAX_RESULT`` bytes of values (counted row by row as
  Datasette fetches them: a thousand rows of large values fail at the budget, not after);
- SQL cannot read `pragma_database_list` (it shows where the data directory is on disk) nor call
  `fts3_tokenizer` (it shows a memory address, and with two arguments installs code).

Each refusal is a `sqlite3.DataError` or `DatabaseError` that the error handler answers as a 400.
"""

import sqlite3
import weakref

from datasette import hookimpl

MAX_VALUE = 16 << 20
MAX_RESULT = 32 << 20
MAX_HEAP = 1 << 30
FORBIDDEN_TABLES = frozenset({"pragma_database_list"})
FORBIDDEN_FUNCTIONS = frozenset({"fts3_tokenizer"})
TOO_LARGE = "result too large: more than {} MB of values"


def _authorize(action, arg1, arg2, database, trigger):
    if action == sqlite3.SQLITE_READ and (arg1 or "").lower() in FORBIDDEN_TABLES:
        return sqlite3.SQLITE_DENY
    if action == sqlite3.SQLITE_FUNCTION and (arg2 or "").lower() in FORBIDDEN_FUNCTIONS:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


def _size(value) -> int:
    return len(value) if isinstance(value, str | bytes) else 8


def _counting_rows(budget: int):
    """A row factory that builds Datasette's sqlite3.Row and counts, per cursor, the bytes
    handed out so far."""
    spent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def row(cursor, values):
        total = spent.get(cursor, 0) + sum(_size(v) for v in values)
        if total > budget:
            raise sqlite3.DataError(TOO_LARGE.format(budget >> 20))
        spent[cursor] = total
        return sqlite3.Row(cursor, values)

    return row


@hookimpl
def prepare_connection(conn):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE)
    conn.execute(f"pragma hard_heap_limit = {MAX_HEAP}")  # process-wide, set by every connection
    conn.set_authorizer(_authorize)
    conn.row_factory = _counting_rows(MAX_RESULT)
