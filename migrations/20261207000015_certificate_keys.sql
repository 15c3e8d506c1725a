-- What tills know a certificate by: a slow hash of its code
-- (shared_model::certificates::CertificateCode::lookup_key), so a copied till database
-- holds no code anyone could spend. The server fills it at issue and, for older rows,
-- at start (the hash is computed in Rust).
ALTER TABLE gift_certificates ADD COLUMN lookup_key text;
CREATE UNIQUE INDEX gift_certificates_lookup_key ON gift_certificates (lookup_key);
