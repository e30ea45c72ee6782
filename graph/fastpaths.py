"""Where the product takes a faster way to the same answer, decided here and nowhere else.

Each number says from what size a fast path is taken; docs/ARCHITECTURE.md names, for each,
the slower reference it must equal and the test that holds the two together. Code reads
these as ``fastpaths.NAME`` when it decides, so a test lowers one in this module only."""

# A CSV of this many lines, or a worksheet of this many rows, or more is parsed and checked
# column by column (loaders.bulk); a smaller one cell by cell, which costs less than the
# column engine's fixed few milliseconds per column. Both give the same rows or refusal.
CLEAN_AS_COLUMNS_FROM = 2_000

# An import of this many roster rows or more is built as columns (loaders.frames).
BUILD_AS_COLUMNS_FROM = 20_000

# A batch of this many rows or more, written into an empty embedded file, goes through a
# rollback journal with its secondary indexes built last.
WRITE_INDEXES_LAST_FROM = 50_000

# A batch of this many rows or more, written from its columns into an empty embedded file,
# has its gap index worked out from those columns instead of by the SQL over the rows written
# (every such batch: a batch held as columns is a large import, BUILD_AS_COLUMNS_FROM).
GAP_INDEX_FROM_COLUMNS_FROM = 0

# A batch of this many rows or more, written from its columns into an empty embedded file,
# has its report columns worked out from those columns and kept in the file with it
# (``graph/import_columns.py``), instead of built from the tables by the first report after it
# (15 s at nation).
COLUMNS_FROM_IMPORT_FROM = 0

# A write of up to this many rows is followed by the report columns in memory, and writes
# naming up to this many things in the change feed by the columns kept in the file (or
# another process's columns in memory); past it the writer builds them again from the tables
# once its write is in, and keeps them, when the file kept a copy. At nation scale following
# 20,000 members costs 1.2 s, building the columns 17 s.
PATCH_COLUMNS_UP_TO = 50_000

# A process that has brought the report columns this many change-feed entries (a write makes
# one for each committee it changes) past the copy its file keeps writes them back (1 s at
# nation; a reader does it in the background, after it has answered); until then the copy is
# followed from the feed.
KEEP_COLUMNS_AFTER = 50

# The whole store's gap list is answered by the indexed query of the gap index's tables for
# this many whole-store questions of one connection (a command-line call asks one), and from
# the arrays loaded into memory after that (a running service asks again and again). Both
# give the same list in the same order.
WHOLE_GAPS_BY_QUERY_UP_TO = 1

# A long question's JSON answer of up to this many bytes is checked against its answer model
# before it is sent; a longer one (a whole province's or nation's report) is sent as the verb
# wrote it, which the model's check would give unchanged.
CHECK_ANSWERS_UP_TO = 1_000_000

# A recommendation for this many committees or more (a nation's) is worked out on the embedded
# store as on the Bolt store: the counts from the report, the proposals on the part of a few
# committees at a time, none kept (``graph/recommend_parts.py: by_parts``), instead of on the
# view of the whole part. At nation the whole store's took 280 s and 10.2 GB on the view.
RECOMMEND_BY_PARTS_FROM = 500
