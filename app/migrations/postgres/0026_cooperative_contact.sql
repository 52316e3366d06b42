-- Which of its contacts a cooperative shows to shoppers and buyers (on its page, its booth and
-- its orders): the phone (tap to call), the same number on Zalo (tap to chat), the email. Off
-- until the cooperative turns them on in its profile; the demo cooperatives show made-up ones.
ALTER TABLE cooperatives ADD COLUMN show_phone BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cooperatives ADD COLUMN show_zalo BIGINT NOT NULL DEFAULT 0;
ALTER TABLE cooperatives ADD COLUMN show_email BIGINT NOT NULL DEFAULT 0;
