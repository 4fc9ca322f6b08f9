/* The clone job: discovery, plan and execution of a catalog clone, with
 * the job's lease, cancel flag and checkpoint wired into the executor so a
 * recovered job resumes without redoing finished statements. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "clxs/audit.h"
#include "clxs/clone.h"
#include "clxs/clone_snapshot.h"
#include "clxs/config.h"
#include "clxs/daemon.h"
#include "clxs/jobs.h"
#include "clxs/metacache.h"
#include "clxs/json.h"
#include "clxs/runner.h"
#include "clxs/store.h"
#include "clxs/target.h"
#include "clxs/util.h"

static clxs_code gate(void *ud)
{
	return clxs_job_checkpoint_gate(ud);
}

static void progress(void *ud, int64_t done, int64_t total, json_object *cp)
{
	clxs_job_ctx *ctx = ud;
	clxs_job_progress(ctx->store, ctx->job_id, done, total, cp, NULL);
}

static void log_line(void *ud, const char *level, const char *msg)
{
	clxs_job_ctx *ctx = ud;
	clxs_job_log(ctx->store, ctx->job_id, level, msg, NULL);
}

/* Where the audit trail goes: the job's params.audit {"catalog", "schema"}
 * when the API put it there, else the audit_trail section of the config
 * file the server uses by default ($CLXS_CONFIG or the system one), else
 * clone_audit.logs. */
static void audit_location(json_object *params, clxs_audit_loc *loc)
{
	json_object *cfg = NULL;
	const char *path = clxs_config_default_path();
	if (path && access(path, R_OK) == 0)
		cfg = clxs_config_load_file(path, NULL, NULL, NULL);
	clxs_audit_loc_from_config(cfg, loc);
	json_object_put(cfg);
	json_object *a = json_object_object_get(params, "audit");
	clxs_audit_loc_set(loc, clxs_json_str(a, "catalog", NULL), clxs_json_str(a, "schema", NULL), NULL);
}

/* The audit rows of a finished (or failed) clone. A failure to write them
 * is reported in the job's log and result and never fails the clone. */
static void write_audit(clxs_job_ctx *ctx, clxs_target *t, const clxs_audit_loc *loc, json_object *opts,
			json_object *model, json_object *result, int64_t started, clxs_code rc, const clxs_error *err)
{
	clxs_audit_clone a = {0};
	a.job_id = ctx->job_id;
	a.origin = "api";
	a.status = rc == CLXS_OK ? "completed" : rc == CLXS_ECANCELLED ? "cancelled" : "failed";
	a.error_message = rc == CLXS_OK ? NULL : err->message;
	a.started_ms = started;
	a.completed_ms = clxs_now_ms();
	a.opts = opts;
	a.result = result;
	a.model = model;
	json_object *events = clxs_job_events(ctx->store, ctx->job_id, -1, NULL), *lines = json_object_new_array();
	for (size_t i = 0; events && i < json_object_array_length(events); i++) {
		json_object *e = json_object_array_get_idx(events, i);
		char line[1200];
		snprintf(line, sizeof(line), "%s [%s] %s", clxs_json_str(e, "time", clxs_json_str(e, "ts", "")),
			 clxs_json_str(e, "level", "info"), clxs_json_str(e, "message", ""));
		json_object_array_add(lines, json_object_new_string(line));
	}
	json_object_put(events);
	a.logs = lines;
	json_object *summary = NULL;
	clxs_error aerr;
	clxs_error_clear(&aerr);
	char msg[1600];
	if (clxs_audit_record_clone(t->ws, t->warehouse_id, loc, &a, &summary, &aerr) == CLXS_OK) {
		snprintf(msg, sizeof(msg), "audit: recorded in %s.%s (run_logs, clone_operations) and %s.metrics.clone_metrics",
			 loc->catalog, loc->schema, loc->catalog);
		clxs_job_log(ctx->store, ctx->job_id, "info", msg, NULL);
		if (result) {
			clxs_json_set_str(summary, "status", "recorded");
			json_object_object_add(result, "audit", summary);
			summary = NULL;
		}
	} else {
		snprintf(msg, sizeof(msg), "audit: could not write the audit rows to %s.%s: %.500s", loc->catalog,
			 loc->schema, aerr.message);
		clxs_job_log(ctx->store, ctx->job_id, "warn", msg, NULL);
		if (result) {
			json_object *o = json_object_new_object();
			clxs_json_set_str(o, "status", "failed");
			clxs_json_set_str(o, "error", aerr.message);
			json_object_object_add(result, "audit", o);
		}
	}
	json_object_put(summary);
	json_object_put(lines);
}

clxs_code clxs_job_run_clone(clxs_job_ctx *ctx, json_object **result, clxs_error *err)
{
	int64_t started = clxs_now_ms();
	clxs_audit_loc aloc;
	json_object *params = json_object_object_get(ctx->job, "params");
	json_object *opts = clxs_clone_validate(json_object_object_get(params, "request"), NULL, err);
	if (!opts)
		return err->code;
	audit_location(params, &aloc);
	/* Where: the job's target, else the embedded lakehouse of this state. */
	json_object *spec = NULL;
	json_object_deep_copy(json_object_object_get(params, "target"), &spec, NULL);
	if (!spec)
		spec = json_object_new_object();
	char dir[4200];
	if (!clxs_json_str(spec, "host", NULL) && !clxs_json_str(spec, "profile", NULL) &&
	    !clxs_json_str(spec, "lakehouse_dir", NULL) && ctx->state_dir &&
	    clxs_path_join(dir, sizeof(dir), ctx->state_dir, "lakehouse", NULL) == CLXS_OK)
		clxs_json_set_str(spec, "lakehouse_dir", dir);
	clxs_target t;
	json_object *model = NULL, *plan = NULL;
	clxs_code rc = clxs_target_open(spec, &t, err);
	json_object_put(spec);
	if (rc) {
		json_object_put(opts);
		return rc;
	}
	const char *src = clxs_json_str(opts, "source_catalog", "");
	clxs_job_log(ctx->store, ctx->job_id, "info", "reading the source catalog", NULL);
	bool cached = false; /* the shared metadata cache (src/engine/metacache.c) */
	if ((rc = clxs_metacache_discover(ctx->store, &t, src, &model, &cached, err)))
		goto out;
	if (cached)
		clxs_job_log(ctx->store, ctx->job_id, "info", "source model read from the metadata cache", NULL);
	/* source_snapshot_id: every table at the version the snapshot captured,
	 * read from the same audit catalog the snapshot was written to. */
	if ((rc = clxs_clone_snapshot_apply(t.ws, t.warehouse_id, &aloc, model, opts, err)))
		goto out;
	if (json_object_object_get(model, "snapshot")) {
		char smsg[400];
		snprintf(smsg, sizeof(smsg), "source snapshot %s: tables cloned at the versions captured at %s",
			 clxs_json_str(opts, "source_snapshot_id", ""),
			 clxs_json_str(json_object_object_get(model, "snapshot"), "captured_at", "?"));
		clxs_job_log(ctx->store, ctx->job_id, "info", smsg, NULL);
	}
	clxs_clone_incremental_prepare(t.ws, t.warehouse_id, ctx->store, model, opts, err);
	if (!(plan = clxs_clone_plan(model, opts, err))) {
		rc = err->code;
		goto out;
	}
	char msg[160];
	snprintf(msg, sizeof(msg), "plan: %zu statements, %zu objects skipped",
		 json_object_array_length(json_object_object_get(plan, "statements")),
		 json_object_array_length(json_object_object_get(plan, "skipped")));
	clxs_job_log(ctx->store, ctx->job_id, "info", msg, NULL);
	if (clxs_json_bool(opts, "dry_run", false)) {
		*result = json_object_get(plan);
		goto out;
	}
	json_object *rollback = NULL;
	if (clxs_json_bool(opts, "enable_rollback", true)) {
		/* Before the first change: what the destination holds now. */
		if ((rc = clxs_rollback_prepare(t.ws, t.warehouse_id, opts, &rollback, err)))
			goto out;
		char key[64];
		snprintf(key, sizeof(key), "rollback/%s", clxs_json_str(rollback, "rollback_id", ""));
		rc = clxs_store_put(ctx->store, CLXS_DB_KV, key, rollback, err);
		if (rc) {
			json_object_put(rollback);
			goto out;
		}
		snprintf(msg, sizeof(msg), "rollback point %s recorded", clxs_json_str(rollback, "rollback_id", ""));
		clxs_job_log(ctx->store, ctx->job_id, "info", msg, NULL);
		clxs_error aerr;
		clxs_error_clear(&aerr);
		if (clxs_audit_record_rollback(t.ws, t.warehouse_id, &aloc, rollback, ctx->job_id, &aerr) != CLXS_OK) {
			char amsg[1600];
			snprintf(amsg, sizeof(amsg), "audit: rollback point not stored in %s.%s.rollback_logs (kept in LMDB): %.400s",
				 aloc.catalog, aloc.schema, aerr.message);
			clxs_job_log(ctx->store, ctx->job_id, "warn", amsg, NULL);
		}
	}
	clxs_clone_exec ex = {0};
	ex.ws = t.ws;
	ex.warehouse_id = t.warehouse_id;
	ex.gate = gate;
	ex.progress = progress;
	ex.log = log_line;
	ex.ud = ctx;
	ex.resume = clxs_json_bool(ctx->job, "resume", false) ? json_object_object_get(ctx->job, "checkpoint") : NULL;
	rc = clxs_clone_execute(&ex, plan, opts, result, err);
	if (rc == CLXS_OK)
		clxs_clone_incremental_record(ctx->store, model, opts, *result);
	if (*result && rollback)
		clxs_json_set_str(*result, "rollback_id", clxs_json_str(rollback, "rollback_id", ""));
	if (rc == CLXS_OK && clxs_json_int(*result, "objects_failed", 0) > 0) {
		/* The clone ran; some objects failed: the job fails with the result. */
		rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "%lld object(s) failed to clone",
			       (long long)clxs_json_int(*result, "objects_failed", 0));
	}
	if (rc == CLXS_OK && clxs_json_bool(opts, "validate_after_clone", false)) {
		clxs_job_log(ctx->store, ctx->job_id, "info", "validating the clone", NULL);
		json_object *report = NULL;
		clxs_clone_validate_run(t.ws, t.warehouse_id, model, opts,
					clxs_json_bool(opts, "validate_checksum", false), &report, err);
		int64_t bad = clxs_json_int(report, "mismatched", 0) + clxs_json_int(report, "errors", 0);
		json_object_object_add(*result, "validation", report);
		if (bad > 0)
			rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "validation: %lld table(s) differ from the source",
				       (long long)bad);
	}
	if (rollback && *result && clxs_clone_should_rollback(opts, *result)) {
		clxs_job_log(ctx->store, ctx->job_id, "warn", "rolling the clone back (auto_rollback_on_failure)", NULL);
		json_object *report = NULL;
		clxs_error rerr;
		clxs_rollback_run(t.ws, t.warehouse_id, rollback, &report, &rerr);
		clxs_audit_mark_rolled_back(t.ws, t.warehouse_id, &aloc, clxs_json_str(rollback, "rollback_id", ""), report,
					    &rerr);
		json_object_object_add(*result, "auto_rollback", report);
		rc = clxs_fail(err, CLXS_EINTERNAL, NULL, "the clone failed its checks and was rolled back");
	}
	if (*result)
		json_object_object_add(*result, "warnings", json_object_get(json_object_object_get(model, "warnings")));
	json_object_put(rollback);
out:
	/* Every clone that ran or tried to run leaves its audit rows; a dry run
	 * changes nothing and a job handed back to the queue has not ended. */
	if (!clxs_json_bool(opts, "dry_run", false) && rc != CLXS_EUNAVAILABLE)
		write_audit(ctx, &t, &aloc, opts, model, *result, started, rc, err);
	/* What the clone wrote is no longer what the cache holds. */
	if (!clxs_json_bool(opts, "dry_run", false)) {
		clxs_metacache_invalidate(ctx->store, clxs_json_str(opts, "destination_catalog", NULL), NULL, NULL);
		clxs_metacache_invalidate(ctx->store, aloc.catalog, NULL, NULL);
	}
	clxs_target_close(&t);
	json_object_put(plan);
	json_object_put(model);
	json_object_put(opts);
	return rc;
}
