-- A post's time as its source claimed it, when ingest did not believe it (domain/conversations/postTime.ts):
-- posted_at then holds the receipt time and this column the claim, verbatim (ISO 8601 as JavaScript
-- writes it, e.g. 9999-06-01T12:00:00.000Z or +010000-01-01T00:00:00.000Z; text, because a claim may
-- lie outside what timestamptz holds). NULL: the claim was believed and is posted_at itself.
ALTER TABLE messages ADD COLUMN claimed_posted_at text;
