-- Remember a source's column mapping: an upsert, so two editors uploading files with the same
-- header at once never collide on the key.
INSERT INTO column_mappings (source_key, mapping, updated_at)
VALUES (:source_key, :mapping, :updated_at)
ON CONFLICT (source_key) DO UPDATE SET mapping = excluded.mapping, updated_at = excluded.updated_at
