-- site_modules.reasons moved to verdict_reasons (00042, 00043).

-- +goose Up
ALTER TABLE site_modules DROP COLUMN reasons;

-- +goose Down
ALTER TABLE site_modules ADD COLUMN reasons JSONB NOT NULL DEFAULT '[]';
