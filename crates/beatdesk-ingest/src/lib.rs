//! Beatdesk ingest: sources, parsers, dedup. (Work in progress.)
