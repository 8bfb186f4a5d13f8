# The seed stack peer (SPEC §7): what the product's original plan chose, FastAPI + uvicorn + sqlite3
# with WAL and synchronous=FULL (the same durability as the server: a 2xx only after the commit's
# fsync), over HTTPS, one uvicorn worker. It answers POST /api/v1/download like the server does:
# API key header, Idempotency-Key replay, dedupe of the same URL, insert, 201 (new) or 200.
# Written for Debian 12's python3-fastapi 0.92 / python3-uvicorn 0.17 (pydantic 1, h11, asyncio
# loop: Debian ships neither uvloop nor httptools). Started by bench/peers.ts:
#   /usr/bin/python3 bench/peers/seed_stack.py   with SEED_PORT, SEED_KEY_FILE, SEED_CERT_FILE,
#   SEED_DB, SEED_API_KEY in the environment.
import json
import os
import sqlite3
import threading
import uuid
from datetime import datetime, timezone
from typing import Optional

import uvicorn
from fastapi import FastAPI, Header
from fastapi.responses import JSONResponse
from pydantic import BaseModel

env = os.environ
DB_FILE = env["SEED_DB"]
API_KEY = env["SEED_API_KEY"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS downloads (
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, url TEXT NOT NULL,
  client_id TEXT NOT NULL, status TEXT NOT NULL, submitted_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS downloads_url ON downloads (url);
CREATE TABLE IF NOT EXISTS idempotency_keys (
  api_key TEXT NOT NULL, key TEXT NOT NULL, body TEXT NOT NULL, answer TEXT NOT NULL,
  PRIMARY KEY (api_key, key));
"""

# FastAPI runs plain `def` endpoints in its thread pool (its advice for blocking I/O such as
# sqlite3); a sqlite3 connection belongs to one thread, so each pool thread opens its own.
local = threading.local()


def connection() -> sqlite3.Connection:
    db = getattr(local, "db", None)
    if db is None:
        # isolation_level=None: transactions are the explicit BEGIN IMMEDIATE below.
        db = sqlite3.connect(DB_FILE, isolation_level=None, timeout=5.0)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        local.db = db
    return db


setup = sqlite3.connect(DB_FILE, isolation_level=None)
setup.execute("PRAGMA journal_mode=WAL")
setup.executescript(SCHEMA)
setup.close()


class Submission(BaseModel):
    url: str
    client_id: Optional[str] = None


app = FastAPI()


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"success": False, "error": {"code": code, "message": message}}, status_code=status)


@app.post("/api/v1/download")
def submit(
    submission: Submission,
    x_api_key: Optional[str] = Header(default=None),
    idempotency_key: Optional[str] = Header(default=None),
):
    if x_api_key != API_KEY:
        return error(401, "unauthorized", "missing or wrong API key")
    url = submission.url.strip()
    if not url.startswith("https://") or len(url) > 2048:
        return error(422, "invalid_url", "not an https link")
    body = submission.json()
    db = connection()
    # One IMMEDIATE transaction: the checks and the insert see the same state, and COMMIT is where
    # synchronous=FULL fsyncs the WAL before the answer goes out.
    db.execute("BEGIN IMMEDIATE")
    try:
        if idempotency_key is not None:
            row = db.execute(
                "SELECT body, answer FROM idempotency_keys WHERE api_key = ? AND key = ?", (API_KEY, idempotency_key)
            ).fetchone()
            if row is not None:
                db.execute("ROLLBACK")
                if row[0] != body:
                    return error(422, "idempotency_key_reused", "the key was used with another body")
                return JSONResponse(json.loads(row[1]), status_code=200, headers={"Idempotent-Replayed": "true"})
        found = db.execute(
            "SELECT id, status FROM downloads WHERE url = ? AND status IN ('pending','downloading','completed') LIMIT 1",
            (url,),
        ).fetchone()
        if found is not None:
            db.execute("ROLLBACK")
            return JSONResponse({"success": True, "download_id": found[0], "status": found[1], "duplicate": True}, status_code=200)
        download_id = str(uuid.uuid4())
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        db.execute(
            "INSERT INTO downloads (id, url, client_id, status, submitted_at) VALUES (?, ?, ?, 'pending', ?)",
            (download_id, url, submission.client_id or "anonymous", now),
        )
        answer = {"success": True, "download_id": download_id, "status": "pending", "message": "Download queued", "submitted_at": now}
        if idempotency_key is not None:
            db.execute(
                "INSERT INTO idempotency_keys (api_key, key, body, answer) VALUES (?, ?, ?, ?)",
                (API_KEY, idempotency_key, body, json.dumps(answer)),
            )
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
    return JSONResponse(answer, status_code=201)


@app.get("/health")
def health():
    return {"status": "healthy"}


if __name__ == "__main__":
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=int(env["SEED_PORT"]),
        workers=1,
        ssl_keyfile=env["SEED_KEY_FILE"],
        ssl_certfile=env["SEED_CERT_FILE"],
        # uvicorn's default: one access-log line per request, as the server logs every request.
        log_level="info",
    )
