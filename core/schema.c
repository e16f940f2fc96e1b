/* schema.c — the migrations, in order. Entry i brings user_version i to i+1.
 * Append new entries; never edit one that has shipped in a release. */
#include "core/schema.h"

const char *const schema_migrations[] = {
	/* 1: the data model of docs/ARCHITECTURE.md */
	"CREATE TABLE cl_meta(key TEXT PRIMARY KEY, value TEXT);"
	/* imported tables: columns is JSON [{\"name\",\"type\",\"personal\"}] */
	"CREATE TABLE cl_datasets(name TEXT PRIMARY KEY, source TEXT, row_count INTEGER,"
	"  imported_at TEXT, columns TEXT);"
	"CREATE TABLE cl_personal_columns(dataset TEXT NOT NULL, col TEXT NOT NULL,"
	"  PRIMARY KEY(dataset, col));"
	"CREATE TABLE cl_segments(name TEXT PRIMARY KEY, dataset TEXT NOT NULL,"
	"  predicate TEXT NOT NULL, row_count INTEGER, profile TEXT, created_at TEXT);"
	"CREATE TABLE cl_prompts(id INTEGER PRIMARY KEY, name TEXT NOT NULL,"
	"  version INTEGER NOT NULL, parent_id INTEGER REFERENCES cl_prompts(id),"
	"  body TEXT NOT NULL, created_at TEXT, UNIQUE(name, version));"
	/* status: running | done | interrupted | cancelled | failed */
	"CREATE TABLE cl_runs(id INTEGER PRIMARY KEY, prompt_id INTEGER REFERENCES cl_prompts(id),"
	"  prompt_text TEXT, provider TEXT, model TEXT, params TEXT, segment TEXT, row_ref TEXT,"
	"  round INTEGER NOT NULL DEFAULT 1, parent_run INTEGER REFERENCES cl_runs(id),"
	"  feedback TEXT, status TEXT NOT NULL DEFAULT 'running', n_requested INTEGER,"
	"  tokens_in INTEGER DEFAULT 0, tokens_out INTEGER DEFAULT 0, cost REAL DEFAULT 0,"
	"  pid INTEGER, created_at TEXT, finished_at TEXT);"
	"CREATE TABLE cl_variants(id INTEGER PRIMARY KEY,"
	"  run_id INTEGER NOT NULL REFERENCES cl_runs(id) ON DELETE CASCADE,"
	"  idx INTEGER NOT NULL, round INTEGER NOT NULL DEFAULT 1,"
	"  parent_id INTEGER REFERENCES cl_variants(id), segment TEXT,"
	"  fields TEXT, text TEXT, raw TEXT, parse_ok INTEGER NOT NULL DEFAULT 1,"
	"  tokens_in INTEGER, tokens_out INTEGER, latency_ms REAL, cost REAL,"
	"  cached INTEGER NOT NULL DEFAULT 0, error TEXT,"
	"  starred INTEGER NOT NULL DEFAULT 0, discarded INTEGER NOT NULL DEFAULT 0,"
	"  note TEXT, created_at TEXT);"
	"CREATE INDEX cl_variants_run ON cl_variants(run_id, idx);"
	/* extra parents when a variant descends from several winners */
	"CREATE TABLE cl_variant_parents(variant_id INTEGER NOT NULL REFERENCES cl_variants(id)"
	"  ON DELETE CASCADE, parent_id INTEGER NOT NULL REFERENCES cl_variants(id),"
	"  PRIMARY KEY(variant_id, parent_id));"
	"CREATE TABLE cl_scores(variant_id INTEGER NOT NULL REFERENCES cl_variants(id)"
	"  ON DELETE CASCADE, scorer TEXT NOT NULL, value REAL, detail TEXT, created_at TEXT,"
	"  PRIMARY KEY(variant_id, scorer));"
	"CREATE TABLE cl_experiments(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	"  run_id INTEGER REFERENCES cl_runs(id), simulated INTEGER NOT NULL DEFAULT 0,"
	"  control_arm TEXT, planned_split TEXT, planned_n INTEGER, source TEXT,"
	"  params TEXT, created_at TEXT);"
	"CREATE TABLE cl_arms(id INTEGER PRIMARY KEY,"
	"  experiment_id INTEGER NOT NULL REFERENCES cl_experiments(id) ON DELETE CASCADE,"
	"  name TEXT NOT NULL, variant_id INTEGER REFERENCES cl_variants(id),"
	"  UNIQUE(experiment_id, name));"
	"CREATE TABLE cl_results(arm_id INTEGER NOT NULL REFERENCES cl_arms(id) ON DELETE CASCADE,"
	"  day TEXT, n INTEGER NOT NULL, clicks INTEGER, conversions INTEGER NOT NULL,"
	"  revenue REAL, revenue_sq REAL);"
	"CREATE INDEX cl_results_arm ON cl_results(arm_id, day);"
	"CREATE TABLE cl_cache(key TEXT PRIMARY KEY, provider TEXT, model TEXT, response TEXT,"
	"  tokens_in INTEGER, tokens_out INTEGER, created_at TEXT);"
	"CREATE TABLE cl_history(id INTEGER PRIMARY KEY, kind TEXT NOT NULL, line TEXT NOT NULL,"
	"  at TEXT);"
	"CREATE INDEX cl_history_kind ON cl_history(kind, id);"
	"CREATE TABLE cl_models(name TEXT PRIMARY KEY, kind TEXT, model TEXT, metrics TEXT,"
	"  trained_at TEXT);",
};

const int schema_migration_count =
	(int)(sizeof schema_migrations / sizeof schema_migrations[0]);
