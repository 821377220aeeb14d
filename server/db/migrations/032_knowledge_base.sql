-- Knowledge base: help articles managers write in the console and visitors read on a chat site's public help
-- page. The search vector is stemmed in the article's own language (German or English), kept by PostgreSQL.
CREATE TABLE knowledge_articles (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title             text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
  -- Markdown (a strict subset, rendered escaped by server/domain/knowledge/markdown.ts)
  body              text NOT NULL CHECK (length(body) <= 50000),
  topic             text CHECK (length(topic) BETWEEN 1 AND 60),
  language          text NOT NULL CHECK (language IN ('de', 'en')),
  state             text NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'published')),
  search            tsvector GENERATED ALWAYS AS (
                      setweight(to_tsvector(CASE WHEN language = 'de' THEN 'german'::regconfig ELSE 'english'::regconfig END, title), 'A')
                      || setweight(to_tsvector(CASE WHEN language = 'de' THEN 'german'::regconfig ELSE 'english'::regconfig END, body), 'B')
                    ) STORED,
  -- usage on the public help pages: views and "Hat das geholfen?" answers, each once per visitor and day
  views             integer NOT NULL DEFAULT 0,
  helpful           integer NOT NULL DEFAULT 0,
  not_helpful       integer NOT NULL DEFAULT 0,
  created_by        uuid REFERENCES users(id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  published_at      timestamptz
);
CREATE INDEX knowledge_articles_search_idx ON knowledge_articles USING gin (search);
CREATE INDEX knowledge_articles_published_idx ON knowledge_articles (language, updated_at DESC) WHERE state = 'published';

-- Who was already counted today, per article and kind: a keyed hash of IP + user agent + day, never the address
-- itself. Rows of earlier days are worthless (the hash names the day) and are deleted as new ones arrive.
CREATE TABLE knowledge_article_usage (
  article_id   uuid NOT NULL REFERENCES knowledge_articles(id),
  kind         text NOT NULL CHECK (kind IN ('view', 'vote')),
  visitor_hash text NOT NULL CHECK (length(visitor_hash) = 64),
  day          date NOT NULL DEFAULT current_date,
  PRIMARY KEY (article_id, kind, visitor_hash)
);
CREATE INDEX knowledge_article_usage_day_idx ON knowledge_article_usage (day);

-- Knowledge articles sit beside canned responses on the audit page.
CREATE OR REPLACE FUNCTION audit_action_group(action text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE split_part(action, '.', 1)
    WHEN 'auth' THEN 'access' WHEN 'user' THEN 'access' WHEN 'api_token' THEN 'access'
    WHEN 'team' THEN 'access' WHEN 'agent' THEN 'access' WHEN 'absence' THEN 'access'
    WHEN 'channel' THEN 'channels' WHEN 'topic' THEN 'channels'
    WHEN 'calendar' THEN 'serviceLevels' WHEN 'sla_policy' THEN 'serviceLevels' WHEN 'sla' THEN 'serviceLevels'
    WHEN 'conversation' THEN 'conversations' WHEN 'note' THEN 'conversations' WHEN 'contact' THEN 'conversations'
    WHEN 'message' THEN 'messages' WHEN 'reply' THEN 'messages'
    WHEN 'canned_response' THEN 'cannedResponses' WHEN 'knowledge' THEN 'cannedResponses'
    WHEN 'audit' THEN 'oversight' WHEN 'report' THEN 'oversight' WHEN 'retention' THEN 'oversight'
    WHEN 'listening_query' THEN 'oversight' WHEN 'alert_rule' THEN 'oversight' WHEN 'alert' THEN 'oversight'
    WHEN 'alert_settings' THEN 'oversight' WHEN 'push_subscription' THEN 'oversight'
    WHEN 'report_subscription' THEN 'oversight'
    ELSE 'other' END
$$;
