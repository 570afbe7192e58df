/// The store's numbered, forward-only migrations. The schema is the product's public
/// interface: users read these tables with sqlite3 and their own scripts, so a released
/// migration is never edited; changes come as new migrations.
public enum Migrations {
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String
    }

    /// The newest schema version this build knows.
    public static var latest: Int { all.last?.version ?? 0 }

    public static let all: [Migration] = [
        Migration(version: 1, name: "initial schema", sql: v1),
        Migration(version: 2, name: "configured URL of config sources", sql: v2),
        Migration(version: 3, name: "sightings and document updates", sql: v3),
        Migration(version: 4, name: "enclosures", sql: v4),
        Migration(version: 5, name: "item keys on sightings", sql: v5),
        Migration(version: 6, name: "plugin switches and jobs", sql: v6),
        Migration(version: 7, name: "entity views", sql: v7),
        Migration(version: 8, name: "event groups", sql: v8),
        Migration(version: 9, name: "tone views", sql: v9),
        Migration(version: 10, name: "article queue and fetch-log retention", sql: v10),
    ]

    /// The article pages behind feed items whose own text is short (a teaser): queued with the
    /// document in the same transaction, read under the host's politeness, and kept across
    /// restarts until read (the row goes) or given up ('failed', with the reason). A document
    /// with a pending page waits for it before analysis. The fetch log is trimmed per source by
    /// id, and by age (ids grow with time, so no index on the time is needed).
    static let v10 = """
        CREATE TABLE article_queue (
            id              INTEGER PRIMARY KEY,
            document_id     INTEGER NOT NULL UNIQUE REFERENCES documents(id) ON DELETE CASCADE,
            source_id       INTEGER REFERENCES sources(id) ON DELETE SET NULL,
            url             TEXT NOT NULL,
            host            TEXT,
            tls_verify      INTEGER NOT NULL DEFAULT 1 CHECK (tls_verify IN (0, 1)),
            status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'failed')),
            attempts        INTEGER NOT NULL DEFAULT 0,
            next_attempt_at TEXT NOT NULL,
            last_error      TEXT,
            created_at      TEXT NOT NULL
        ) STRICT;
        CREATE INDEX article_queue_status ON article_queue(status, id);
        CREATE INDEX article_queue_source ON article_queue(source_id, status);
        DROP INDEX fetches_source;
        CREATE INDEX fetches_source ON fetches(source_id, id);
        """

    /// How coverage of an entity, or of a pair of entities, turns: the daily mean of the tone
    /// toward it (`entity_tones`), and for two entities mentioned in one document, the mean of
    /// the tone toward each.
    static let v9 = """
        CREATE VIEW entity_tone_daily AS
            SELECT et.entity_id, e.canonical, e.kind, e.country,
                   substr(coalesce(d.published_at, d.fetched_at), 1, 10) AS day,
                   avg(et.score) AS mean_tone, count(*) AS documents, sum(et.mentions) AS mentions
            FROM entity_tones et JOIN entities e ON e.id = et.entity_id JOIN documents d ON d.id = et.document_id
            GROUP BY et.entity_id, day;
        CREATE VIEW dyad_tone_daily AS
            SELECT a.entity_id AS entity_a, ea.canonical AS canonical_a, b.entity_id AS entity_b, eb.canonical AS canonical_b,
                   substr(coalesce(d.published_at, d.fetched_at), 1, 10) AS day,
                   avg((a.score + b.score) / 2) AS mean_tone, count(*) AS documents
            FROM entity_tones a
            JOIN entity_tones b ON b.document_id = a.document_id AND b.extraction_id = a.extraction_id AND b.entity_id > a.entity_id
            JOIN entities ea ON ea.id = a.entity_id JOIN entities eb ON eb.id = b.entity_id
            JOIN documents d ON d.id = a.document_id
            GROUP BY a.entity_id, b.entity_id, day;
        """

    /// One real-world event reported by many articles, as GDELT counts it: events of the same
    /// day, dyad and code are one row, with how often they were coded (NumMentions), in how
    /// many documents (NumArticles) seen by how many sources (NumSources), and the mean tone of
    /// those documents (AvgTone).
    static let v8 = """
        CREATE INDEX events_group ON events(event_date, source_actor, target_actor, code, document_id);
        CREATE VIEW event_groups AS
            WITH per_document AS (
                SELECT event_date, source_actor, target_actor, code, document_id,
                       count(*) AS mentions, min(id) AS first_id, min(sentence) AS first_sentence,
                       min(source_name) AS source_name, min(target_name) AS target_name,
                       min(root) AS root, min(quad_class) AS quad_class, avg(goldstein) AS goldstein,
                       (SELECT avg(t.tone) FROM tones t WHERE t.document_id = events.document_id) AS tone
                FROM events GROUP BY event_date, source_actor, target_actor, code, document_id),
            per_source AS (
                SELECT p.event_date, p.source_actor, p.target_actor, p.code, count(DISTINCT s.source_id) AS sources
                FROM per_document p JOIN sightings s ON s.document_id = p.document_id
                GROUP BY p.event_date, p.source_actor, p.target_actor, p.code)
            SELECT min(p.first_id) AS event_id, p.event_date, p.source_actor, min(p.source_name) AS source_name,
                   p.target_actor, min(p.target_name) AS target_name, p.code, min(p.root) AS root,
                   min(p.quad_class) AS quad_class, avg(p.goldstein) AS goldstein,
                   sum(p.mentions) AS mentions, count(*) AS articles, coalesce(min(ps.sources), 0) AS sources,
                   avg(p.tone) AS mean_tone, min(p.first_sentence) = 0 AS in_lead,
                   min(p.document_id) AS first_document_id
            FROM per_document p
            LEFT JOIN per_source ps ON ps.event_date IS p.event_date AND ps.source_actor IS p.source_actor
                 AND ps.target_actor IS p.target_actor AND ps.code = p.code
            GROUP BY p.event_date, p.source_actor, p.target_actor, p.code;
        """

    /// Mentions per entity per day, and entities with their counts.
    static let v7 = """
        CREATE VIEW entity_daily AS
            SELECT e.id AS entity_id, e.canonical, e.kind, e.country, e.actor_code,
                   substr(coalesce(d.published_at, d.fetched_at), 1, 10) AS day,
                   count(*) AS mentions, count(DISTINCT m.document_id) AS documents
            FROM mentions m JOIN entities e ON e.id = m.entity_id JOIN documents d ON d.id = m.document_id
            GROUP BY e.id, day;
        CREATE VIEW entity_counts AS
            SELECT e.id AS entity_id, e.canonical, e.kind, e.country, e.actor_code,
                   count(*) AS mentions, count(DISTINCT m.document_id) AS documents,
                   min(substr(coalesce(d.published_at, d.fetched_at), 1, 10)) AS first_day,
                   max(substr(coalesce(d.published_at, d.fetched_at), 1, 10)) AS last_day
            FROM mentions m JOIN entities e ON e.id = m.entity_id JOIN documents d ON d.id = m.document_id
            GROUP BY e.id;
        """

    /// Plugins switched on or off at run time (`tidingsctl plugins enable|disable`), which
    /// outlasts restarts, and background jobs such as reprocessing, which resume after one.
    static let v6 = """
        CREATE TABLE plugin_state (
            name       TEXT PRIMARY KEY,
            enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
            changed_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE jobs (
            id          INTEGER PRIMARY KEY,
            kind        TEXT NOT NULL CHECK (kind IN ('reprocess')),
            plugin      TEXT NOT NULL,
            since       TEXT,             -- only documents published (or fetched) since then
            source_id   INTEGER,          -- only this source's documents
            status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'cancelled', 'failed')),
            total       INTEGER NOT NULL DEFAULT 0,
            done        INTEGER NOT NULL DEFAULT 0,
            failed      INTEGER NOT NULL DEFAULT 0,
            cursor      INTEGER NOT NULL DEFAULT 0,  -- last document id handled
            error       TEXT,
            created_at  TEXT NOT NULL,
            updated_at  TEXT NOT NULL,
            finished_at TEXT
        ) STRICT;
        CREATE INDEX jobs_status ON jobs(status);

        CREATE VIEW plugin_stats AS
            SELECT plugin, plugin_version,
                   sum(status = 'ok') AS ok, sum(status = 'failed') AS failed, sum(status = 'skipped') AS skipped,
                   avg(duration_ms) AS mean_ms, max(created_at) AS last_run
            FROM extractions GROUP BY plugin, plugin_version;
        """

    /// The item key (`url:…`, `guid:…`) a source saw, so that an item merged into another
    /// source's document by its text is recognised when the same source brings it again.
    static let v5 = """
        ALTER TABLE sightings ADD COLUMN doc_key TEXT;
        UPDATE sightings SET doc_key = (SELECT d.doc_key FROM documents d
                                         WHERE d.id = sightings.document_id AND d.source_id IS sightings.source_id);
        CREATE INDEX sightings_source_key ON sightings(source_id, doc_key);
        """

    /// Files attached to items: podcast episodes, images, documents.
    static let v4 = """
        CREATE TABLE enclosures (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            url         TEXT NOT NULL,
            type        TEXT,
            length      INTEGER,
            UNIQUE (document_id, url)
        ) STRICT;
        """

    /// One story seen by several sources (or several times) is one document with several
    /// sightings; a changed article is updated in place and remembers when.
    static let v3 = """
        CREATE TABLE sightings (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            source_id   INTEGER REFERENCES sources(id) ON DELETE SET NULL,
            url         TEXT,
            guid        TEXT,
            first_seen  TEXT NOT NULL,
            last_seen   TEXT NOT NULL
        ) STRICT;
        CREATE UNIQUE INDEX sightings_document_source ON sightings(document_id, coalesce(source_id, -1), coalesce(url, ''));
        CREATE INDEX sightings_source ON sightings(source_id);
        INSERT INTO sightings (document_id, source_id, url, guid, first_seen, last_seen)
            SELECT id, source_id, url, guid, fetched_at, fetched_at FROM documents;
        ALTER TABLE documents ADD COLUMN updated_at TEXT;

        -- GDELT-style counts: how many sources reported each document.
        CREATE VIEW document_sightings AS
            SELECT d.id, d.title, count(DISTINCT s.source_id) AS sources, count(*) AS sightings,
                   min(s.first_seen) AS first_seen, max(s.last_seen) AS last_seen
            FROM documents d JOIN sightings s ON s.document_id = d.id GROUP BY d.id;
        """

    /// A config source keeps the URL its file names in `configured_url`, while `url` follows
    /// permanent redirects; the config is matched on the former.
    static let v2 = """
        ALTER TABLE sources ADD COLUMN configured_url TEXT;
        UPDATE sources SET configured_url = url WHERE origin = 'config';
        """

    static let v1 = """
        -- Where news comes from. Config sources are synced from the TOML file (origin='config');
        -- admin sources come from `tidingsctl sources add` (origin='admin').
        CREATE TABLE sources (
            id                 INTEGER PRIMARY KEY,
            name               TEXT NOT NULL UNIQUE,
            url                TEXT NOT NULL UNIQUE,
            kind               TEXT NOT NULL DEFAULT 'feed' CHECK (kind IN ('feed', 'page', 'folder')),
            origin             TEXT NOT NULL CHECK (origin IN ('config', 'admin')),
            enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
            interval_s         REAL NOT NULL CHECK (interval_s > 0),
            tls_verify         INTEGER NOT NULL DEFAULT 1 CHECK (tls_verify IN (0, 1)),
            etag               TEXT,
            last_modified      TEXT,
            created_at         TEXT NOT NULL,
            last_fetch_at      TEXT,
            last_status        TEXT,
            last_error         TEXT,
            consecutive_errors INTEGER NOT NULL DEFAULT 0,
            next_fetch_at      TEXT
        ) STRICT;

        -- One row per fetch attempt: the log behind `tidingsctl sources`.
        CREATE TABLE fetches (
            id          INTEGER PRIMARY KEY,
            source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            started_at  TEXT NOT NULL,
            duration_ms REAL NOT NULL,
            url         TEXT NOT NULL,
            http_status INTEGER,
            bytes       INTEGER NOT NULL DEFAULT 0,
            status      TEXT NOT NULL CHECK (status IN ('ok', 'not_modified', 'error')),
            error       TEXT,
            items       INTEGER NOT NULL DEFAULT 0,
            new_items   INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX fetches_source ON fetches(source_id, started_at);

        -- Clean text documents. doc_key makes ingestion idempotent: 'url:<canonical URL>',
        -- 'guid:<source id>:<guid>' or 'hash:<sha256>'. Removing a source keeps its documents.
        CREATE TABLE documents (
            id           INTEGER PRIMARY KEY,
            source_id    INTEGER REFERENCES sources(id) ON DELETE SET NULL,
            doc_key      TEXT NOT NULL UNIQUE,
            url          TEXT,
            guid         TEXT,
            title        TEXT,
            author       TEXT,
            published_at TEXT,
            fetched_at   TEXT NOT NULL,
            language     TEXT,
            text         TEXT NOT NULL,
            content_hash TEXT NOT NULL
        ) STRICT;
        CREATE INDEX documents_published ON documents(published_at);
        CREATE INDEX documents_source ON documents(source_id, fetched_at);
        CREATE INDEX documents_hash ON documents(content_hash);

        -- Full-text index over title and text, kept in step by triggers.
        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, text, content='documents', content_rowid='id', tokenize='unicode61 remove_diacritics 2');
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;

        -- One row per document x plugin: which version ran, how it went and how long it took.
        -- Every extracted row below points at its extraction; re-running a plugin deletes the
        -- old extraction (cascading to its rows) and inserts the new one in one transaction.
        CREATE TABLE extractions (
            id             INTEGER PRIMARY KEY,
            document_id    INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            plugin         TEXT NOT NULL,
            plugin_version TEXT NOT NULL,
            status         TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'skipped')),
            error          TEXT,
            duration_ms    REAL NOT NULL DEFAULT 0,
            created_at     TEXT NOT NULL,
            UNIQUE (document_id, plugin)
        ) STRICT;
        CREATE INDEX extractions_plugin ON extractions(plugin, status);

        -- Canonical entities, shared across documents.
        CREATE TABLE entities (
            id         INTEGER PRIMARY KEY,
            canonical  TEXT NOT NULL,
            kind       TEXT NOT NULL CHECK (kind IN ('PER', 'ORG', 'GPE', 'LOC', 'NORP', 'MISC')),
            country    TEXT,             -- ISO 3166-1 alpha-3 / CAMEO country code, e.g. 'JPN'
            actor_code TEXT,             -- CAMEO/Phoenix actor code where one applies, e.g. 'RUSGOV'
            UNIQUE (canonical, kind)
        ) STRICT;
        CREATE INDEX entities_country ON entities(country);

        -- Each place an entity is mentioned. Offsets are Unicode code points, half-open, so
        -- substr(documents.text, start + 1, "end" - start) returns the mention.
        CREATE TABLE mentions (
            id            INTEGER PRIMARY KEY,
            document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            extraction_id INTEGER NOT NULL REFERENCES extractions(id) ON DELETE CASCADE,
            entity_id     INTEGER NOT NULL REFERENCES entities(id),
            sentence      INTEGER NOT NULL,
            start         INTEGER NOT NULL,
            "end"         INTEGER NOT NULL CHECK ("end" >= start),
            text          TEXT NOT NULL,
            label         TEXT NOT NULL,
            role          TEXT           -- title or role seen in the text, e.g. 'Foreign Minister'
        ) STRICT;
        CREATE INDEX mentions_document ON mentions(document_id);
        CREATE INDEX mentions_entity ON mentions(entity_id);
        CREATE INDEX mentions_extraction ON mentions(extraction_id);

        -- CAMEO events: who did what to whom.
        CREATE TABLE events (
            id            INTEGER PRIMARY KEY,
            document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            extraction_id INTEGER NOT NULL REFERENCES extractions(id) ON DELETE CASCADE,
            event_date    TEXT,          -- the document's date, YYYY-MM-DD
            source_actor  TEXT,          -- CAMEO actor code, e.g. 'JPNGOV'
            source_name   TEXT,
            target_actor  TEXT,
            target_name   TEXT,
            code          TEXT NOT NULL, -- CAMEO event code, e.g. '036'
            root          TEXT NOT NULL, -- its first two digits, e.g. '03'
            quad_class    INTEGER NOT NULL CHECK (quad_class BETWEEN 1 AND 4),
            goldstein     REAL NOT NULL CHECK (goldstein BETWEEN -10 AND 10),
            sentence      INTEGER NOT NULL,
            start         INTEGER NOT NULL,
            "end"         INTEGER NOT NULL CHECK ("end" >= start)
        ) STRICT;
        CREATE INDEX events_document ON events(document_id);
        CREATE INDEX events_dyad ON events(event_date, source_actor, target_actor, code);
        CREATE INDEX events_extraction ON events(extraction_id);

        -- Document tone, with GDELT V2Tone-style fields.
        CREATE TABLE tones (
            document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            extraction_id INTEGER NOT NULL REFERENCES extractions(id) ON DELETE CASCADE,
            score         REAL NOT NULL CHECK (score BETWEEN -1 AND 1),
            tone          REAL NOT NULL,  -- positive - negative
            positive      REAL NOT NULL,  -- % of words
            negative      REAL NOT NULL,  -- % of words
            polarity      REAL NOT NULL,
            activity      REAL NOT NULL,  -- activity-reference density
            self_group    REAL NOT NULL,  -- self/group-reference density
            words         INTEGER NOT NULL,
            PRIMARY KEY (document_id, extraction_id)
        ) STRICT;
        CREATE INDEX tones_extraction ON tones(extraction_id);

        -- Tone toward each entity in a document.
        CREATE TABLE entity_tones (
            document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            extraction_id INTEGER NOT NULL REFERENCES extractions(id) ON DELETE CASCADE,
            entity_id     INTEGER NOT NULL REFERENCES entities(id),
            score         REAL NOT NULL CHECK (score BETWEEN -1 AND 1),
            mentions      INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (document_id, extraction_id, entity_id)
        ) STRICT;
        CREATE INDEX entity_tones_entity ON entity_tones(entity_id);
        CREATE INDEX entity_tones_extraction ON entity_tones(extraction_id);

        -- Generic spans from any plugin, exec plugins included.
        CREATE TABLE annotations (
            id            INTEGER PRIMARY KEY,
            document_id   INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            extraction_id INTEGER NOT NULL REFERENCES extractions(id) ON DELETE CASCADE,
            plugin        TEXT NOT NULL,
            kind          TEXT NOT NULL,
            start         INTEGER NOT NULL,
            "end"         INTEGER NOT NULL CHECK ("end" >= start),
            label         TEXT,
            value         TEXT
        ) STRICT;
        CREATE INDEX annotations_document ON annotations(document_id);
        CREATE INDEX annotations_extraction ON annotations(extraction_id);

        -- Views that spare readers the joins.
        CREATE VIEW document_list AS
            SELECT d.id, d.published_at, d.fetched_at, s.name AS source, d.title, d.url,
                   length(d.text) AS chars
            FROM documents d LEFT JOIN sources s ON s.id = d.source_id;

        CREATE VIEW mention_list AS
            SELECT m.id, m.document_id, d.published_at, e.canonical, e.kind, e.country, e.actor_code,
                   m.text, m.role, m.sentence, m.start, m."end", x.plugin, x.plugin_version
            FROM mentions m
            JOIN entities e ON e.id = m.entity_id
            JOIN documents d ON d.id = m.document_id
            JOIN extractions x ON x.id = m.extraction_id;

        CREATE VIEW event_list AS
            SELECT ev.id, ev.document_id, ev.event_date, ev.source_actor, ev.source_name,
                   ev.target_actor, ev.target_name, ev.code, ev.root, ev.quad_class, ev.goldstein,
                   ev.sentence, substr(d.text, ev.start + 1, ev."end" - ev.start) AS phrase,
                   d.title, d.url, x.plugin, x.plugin_version
            FROM events ev
            JOIN documents d ON d.id = ev.document_id
            JOIN extractions x ON x.id = ev.extraction_id;
        """
}
