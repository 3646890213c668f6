"""The district's audit log page: search the audit trail and export it (read only)."""
