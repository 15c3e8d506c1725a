-- A till whose register was out of order fiscalises those sales afterwards with
-- correction receipts: head office shows which fiscal documents are corrections.
ALTER TABLE fiscal_documents ADD COLUMN correction boolean NOT NULL DEFAULT false;
