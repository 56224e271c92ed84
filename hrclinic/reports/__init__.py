"""ReportLab documents: read models in, PDF bytes out; no database access."""
