// Numbered migrations, applied in order inside one transaction each; the applied version lives in
// PRAGMA user_version. Never edit a released migration: add the next number.

export interface Migration {
  version: number
  name: string
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'downloads, counts, idempotency keys, api keys',
    sql: `
      CREATE TABLE downloads (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT,
        id               TEXT NOT NULL UNIQUE,
        url              TEXT NOT NULL,
        normalized_url   TEXT NOT NULL,
        client_id        TEXT NOT NULL,
        api_key_name     TEXT,
        status           TEXT NOT NULL CHECK (status IN ('pending','downloading','completed','failed','cancelled')),
        shared_at        TEXT,
        submitted_at     TEXT NOT NULL,
        updated_at       TEXT NOT NULL,
        started_at       TEXT,
        completed_at     TEXT,
        retry_count      INTEGER NOT NULL DEFAULT 0,
        next_attempt_at  TEXT,
        error_message    TEXT,
        error_code       TEXT,
        progress_percent REAL,
        downloaded_bytes INTEGER,
        total_bytes      INTEGER,
        speed_bps        REAL,
        eta_seconds      INTEGER,
        filename         TEXT,
        file_path        TEXT,
        file_size        INTEGER,
        title            TEXT,
        uploader         TEXT,
        duration_seconds REAL,
        thumbnail_url    TEXT,
        extractor        TEXT,
        video_id         TEXT,
        worker_pid       INTEGER
      );
      CREATE INDEX downloads_status ON downloads (status, seq);
      CREATE INDEX downloads_submitted_at ON downloads (submitted_at);
      CREATE INDEX downloads_client ON downloads (client_id, seq);
      CREATE INDEX downloads_normalized_url ON downloads (normalized_url);
      CREATE INDEX downloads_runnable ON downloads (status, next_attempt_at) WHERE status = 'pending';

      -- Per-status counts kept by triggers, so health and unfiltered history totals stay O(1)
      -- with millions of rows.
      CREATE TABLE download_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL);
      INSERT INTO download_counts (status, n) VALUES
        ('pending',0),('downloading',0),('completed',0),('failed',0),('cancelled',0);
      CREATE TRIGGER downloads_count_insert AFTER INSERT ON downloads BEGIN
        UPDATE download_counts SET n = n + 1 WHERE status = NEW.status;
      END;
      CREATE TRIGGER downloads_count_delete AFTER DELETE ON downloads BEGIN
        UPDATE download_counts SET n = n - 1 WHERE status = OLD.status;
      END;
      CREATE TRIGGER downloads_count_update AFTER UPDATE OF status ON downloads
        WHEN OLD.status <> NEW.status BEGIN
        UPDATE download_counts SET n = n - 1 WHERE status = OLD.status;
        UPDATE download_counts SET n = n + 1 WHERE status = NEW.status;
      END;

      CREATE TABLE idempotency_keys (
        owner        TEXT NOT NULL,
        key          TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        status_code  INTEGER NOT NULL,
        response     TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        PRIMARY KEY (owner, key)
      ) WITHOUT ROWID;
      CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);

      CREATE TABLE api_keys (
        name       TEXT PRIMARY KEY,
        key_hash   TEXT NOT NULL UNIQUE,
        scope      TEXT NOT NULL CHECK (scope IN ('submit','admin')),
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'v2 download object: kind, files, waiting reason, downloader, duplicate_of, site video key',
    sql: `
      ALTER TABLE downloads ADD COLUMN waiting_reason TEXT;
      ALTER TABLE downloads ADD COLUMN kind TEXT CHECK (kind IN ('video','audio','image','album'));
      ALTER TABLE downloads ADD COLUMN downloader TEXT;
      ALTER TABLE downloads ADD COLUMN duplicate_of TEXT;
      -- "<site>:<id>" when the submitted URL shows the site's video id (TikTok /video/ID, Instagram
      -- /p/CODE/ ...): dedupe at submission across URL spellings.
      ALTER TABLE downloads ADD COLUMN site_video_key TEXT;
      CREATE INDEX downloads_site_video_key ON downloads (site_video_key) WHERE site_video_key IS NOT NULL;
      -- extractor + video id of a completed download: dedupe at completion.
      CREATE INDEX downloads_extractor_video ON downloads (extractor, video_id) WHERE video_id IS NOT NULL;

      -- Every file of a download, in the post's order (index 0 is the top-level file).
      CREATE TABLE download_files (
        download_id      TEXT NOT NULL REFERENCES downloads (id) ON DELETE CASCADE,
        idx              INTEGER NOT NULL,
        media            TEXT NOT NULL CHECK (media IN ('video','image','audio')),
        filename         TEXT NOT NULL,
        file_path        TEXT NOT NULL,
        file_size        INTEGER NOT NULL,
        content_type     TEXT NOT NULL,
        width            INTEGER,
        height           INTEGER,
        duration_seconds REAL,
        PRIMARY KEY (download_id, idx)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 3,
    name: 'notification outbox, push subscriptions, pairings',
    sql: `
      -- The outbox: filled by triggers in the same transaction that writes the job's state, so an
      -- event is stored exactly when its state is (at least once across any crash). The dispatcher
      -- turns each event into one delivery per target, then deletes the event.
      CREATE TABLE notification_events (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        event       TEXT NOT NULL CHECK (event IN ('completed','failed','login_required')),
        download_id TEXT NOT NULL,
        created_at  TEXT NOT NULL
      );
      CREATE TRIGGER notify_final_status AFTER UPDATE OF status ON downloads
        WHEN NEW.status IN ('completed','failed') AND OLD.status <> NEW.status BEGIN
        INSERT INTO notification_events (event, download_id, created_at) VALUES (NEW.status, NEW.id, NEW.updated_at);
      END;
      CREATE TRIGGER notify_login_required AFTER UPDATE OF waiting_reason ON downloads
        WHEN NEW.waiting_reason = 'login_required' AND OLD.waiting_reason IS NOT 'login_required' BEGIN
        INSERT INTO notification_events (event, download_id, created_at) VALUES ('login_required', NEW.id, NEW.updated_at);
      END;

      -- One message to one target; kept until a 2xx (or 24 h of retries). id is X-VDS-Delivery.
      CREATE TABLE notification_deliveries (
        id              TEXT PRIMARY KEY,
        event           TEXT NOT NULL,
        download_id     TEXT NOT NULL,
        -- "webhook:<url>", "ntfy" or "push:<endpoint>"
        target          TEXT NOT NULL,
        -- the download object as it was when the event happened
        payload         TEXT NOT NULL,
        created_at      TEXT NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error      TEXT
      ) WITHOUT ROWID;
      CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at);

      CREATE TABLE push_subscriptions (
        endpoint     TEXT PRIMARY KEY,
        p256dh       TEXT NOT NULL,
        auth         TEXT NOT NULL,
        api_key_name TEXT,
        created_at   TEXT NOT NULL
      ) WITHOUT ROWID;

      -- Pairing codes for phones; only the SHA-256 of a code is stored.
      CREATE TABLE pairings (
        code_hash  TEXT PRIMARY KEY,
        name       TEXT NOT NULL,
        scope      TEXT NOT NULL CHECK (scope IN ('submit','admin')),
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        claimed_at TEXT
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'files shared by duplicates: look up a file path',
    sql: `
      -- A duplicate download lists its original's files; deleting one download removes a file only
      -- when no other download lists it.
      CREATE INDEX download_files_path ON download_files (file_path);
    `,
  },
  {
    version: 5,
    name: 'crash-loop guard: interruptions per job',
    sql: `
      -- Attempts cut short by a crash (recovery finds the job still downloading). Past a few, the
      -- job fails instead of being run again: it may be what brings the server down.
      ALTER TABLE downloads ADD COLUMN interrupted_count INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 6,
    name: 'api keys version: a counter the key verifier reads instead of re-reading the keys',
    sql: `
      -- One row, bumped by every change to api_keys in the same statement. The key verifier compares
      -- it (one indexed read) before re-reading the keys: the writer thread commits all the time,
      -- so "the database changed" no longer means "the keys changed".
      CREATE TABLE api_keys_version (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        n  INTEGER NOT NULL
      );
      INSERT INTO api_keys_version (id, n) VALUES (1, 0);
      CREATE TRIGGER api_keys_version_insert AFTER INSERT ON api_keys BEGIN UPDATE api_keys_version SET n = n + 1; END;
      CREATE TRIGGER api_keys_version_update AFTER UPDATE ON api_keys BEGIN UPDATE api_keys_version SET n = n + 1; END;
      CREATE TRIGGER api_keys_version_delete AFTER DELETE ON api_keys BEGIN UPDATE api_keys_version SET n = n + 1; END;
    `,
  },
  {
    version: 7,
    name: 'pending jobs by waiting reason',
    sql: `
      -- The queue gate asks at every wake-up (each submission while no downloader runs) whether a
      -- pending job has no waiting reason yet; without this index that read walked every pending row.
      CREATE INDEX downloads_pending_reason ON downloads (waiting_reason) WHERE status = 'pending';
    `,
  },
]
