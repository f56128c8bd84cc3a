#!/bin/sh
# Seeds each target's corpus with the recorded fixtures.
set -e
cd "$(dirname "$0")"
f=../tests/fixtures
mkdir -p corpus/feed corpus/reddit_listing corpus/bluesky_page corpus/web_page
cp $f/feeds/*.xml corpus/feed/
cp $f/reddit/new_page*.json corpus/reddit_listing/
cp $f/bluesky/search_page*.json $f/bluesky/author_feed.json corpus/bluesky_page/
cp $f/pages/*.html corpus/web_page/
