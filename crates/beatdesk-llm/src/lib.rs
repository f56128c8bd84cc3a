//! Beatdesk's editorial model: drafting cited stories with local and hosted models.
