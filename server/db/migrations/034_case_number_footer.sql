-- The case number in the first answer (issue 19, point 5) and offline-form replies by e-mail (point 4).
-- Per channel: whether the first agent reply of a conversation carries the case number and the signed status
-- link as a short footer. On by default; public posts (X mentions, Facebook/Instagram comments) never carry it.
ALTER TABLE channels ADD COLUMN case_footer boolean NOT NULL DEFAULT true;
-- Per reply: whether it carried that footer (its text then ends with it, as the customer got it). At most one
-- reply per conversation carries it unless an earlier one failed or was rejected (decided under the
-- conversation's lock when the reply is queued).
ALTER TABLE messages ADD COLUMN case_footer boolean NOT NULL DEFAULT false;
-- A delivery failure's reason as a message key (server/i18n/messages.ts) when there is one, so the console says
-- it in the reader's language; delivery_error keeps the English words for the API and the logs.
ALTER TABLE messages ADD COLUMN delivery_error_key text CHECK (length(delivery_error_key) <= 100);
