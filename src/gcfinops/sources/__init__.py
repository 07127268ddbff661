"""Where billing files come from: local paths now; cloud storage in `s3`, `azure_blob`, `gcs`."""
