/* Building the one workspace client the engine uses, for the embedded
 * lakehouse in-process or for a remote workspace. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clxs/daemon.h"
#include "clxs/json.h"
#include "clxs/lakehouse.h"
#include "clxs/secret.h"
#include "clxs/target.h"
#include "clxs/workspace.h"

static clxs_code open_embedded(json_object *spec, clxs_target *t, clxs_error *err)
{
	char state[4096], dir[4200];
	const char *d = clxs_json_str(spec, "lakehouse_dir", NULL);
	if (!d) {
		if (clxs_state_dir_default(state, sizeof(state), err) ||
		    clxs_path_join(dir, sizeof(dir), state, "lakehouse", err))
			return err ? err->code : CLXS_EINVAL;
		d = dir;
	}
	clxs_code rc = clxs_mkdir_p(d, 0700, err);
	if (rc)
		return rc;
	clxs_lh_service_opts so = {0};
	so.data_dir = d;
	so.user = clxs_json_str(spec, "user", NULL);
	so.warehouse_id = CLXS_LH_DEFAULT_WAREHOUSE_ID;
	/* The daemon's fault-injection switches work in-process too, so the
	 * engine's retry path can be tested without a server. */
	const char *fr = getenv("CLXS_LH_FAULT_RATE"), *fl = getenv("CLXS_LH_FAULT_LATENCY_MS");
	const char *fs = getenv("CLXS_LH_FAULT_SEED");
	so.fault_rate = fr ? strtod(fr, NULL) : 0;
	so.fault_latency_ms = fl ? atoi(fl) : 0;
	so.fault_seed = fs ? strtoull(fs, NULL, 10) : 1;
	if ((rc = clxs_lh_service_open(&so, &t->lakehouse, err)))
		return rc;
	clxs_ws_options wo = {0};
	wo.inproc = clxs_lh_service_inproc;
	wo.inproc_ud = t->lakehouse;
	wo.max_retries = (int)clxs_json_int(spec, "max_retries", -1);
	if ((rc = clxs_ws_client_new(NULL, &wo, &t->ws, err))) {
		clxs_lh_service_close(t->lakehouse);
		t->lakehouse = NULL;
		return rc;
	}
	snprintf(t->warehouse_id, sizeof(t->warehouse_id), "%s", CLXS_LH_DEFAULT_WAREHOUSE_ID);
	snprintf(t->description, sizeof(t->description), "embedded lakehouse at %s", d);
	return CLXS_OK;
}

static clxs_code open_remote(json_object *spec, clxs_target *t, clxs_error *err)
{
	clxs_ws_config in, out;
	memset(&in, 0, sizeof(in));
	memset(&out, 0, sizeof(out));
	in.host = (char *)clxs_json_str(spec, "host", NULL);
	in.token = (char *)clxs_json_str(spec, "token", NULL);
	in.profile = (char *)clxs_json_str(spec, "profile", NULL);
	/* Service principals (the secret was opened by clxs_secret_spec_reveal). */
	int auth = clxs_ws_auth_parse(clxs_json_str(spec, "auth_type", "unset"));
	if (auth == CLXS_WS_AUTH_AZURE_SP) {
		in.azure_client_id = (char *)clxs_json_str(spec, "client_id", NULL);
		in.azure_tenant_id = (char *)clxs_json_str(spec, "tenant_id", NULL);
		in.azure_client_secret = (char *)clxs_json_str(spec, "azure_client_secret", NULL);
	} else {
		in.client_id = (char *)clxs_json_str(spec, "client_id", NULL);
		in.client_secret = (char *)clxs_json_str(spec, "client_secret", NULL);
	}
	if (auth > 0)
		in.auth = (clxs_ws_auth)auth;
	clxs_code rc = clxs_ws_config_resolve(&in, &out, err);
	if (rc)
		return rc;
	clxs_ws_options wo = {0};
	wo.max_retries = (int)clxs_json_int(spec, "max_retries", -1);
	rc = clxs_ws_client_new(&out, &wo, &t->ws, err);
	const char *wh = clxs_json_str(spec, "warehouse_id", out.warehouse_id);
	snprintf(t->warehouse_id, sizeof(t->warehouse_id), "%s", wh ? wh : "");
	snprintf(t->description, sizeof(t->description), "%s", out.host ? out.host : "workspace");
	clxs_ws_config_free(&out);
	if (rc == CLXS_OK && !t->warehouse_id[0] && !clxs_json_bool(spec, "warehouse_optional", false)) {
		clxs_ws_client_free(t->ws);
		t->ws = NULL;
		return clxs_fail(err, CLXS_EINVAL, "warehouse_id",
				 "no SQL warehouse: pass --warehouse-id or set warehouse_id in the profile");
	}
	return rc;
}

clxs_code clxs_target_open(json_object *spec, clxs_target *t, clxs_error *err)
{
	memset(t, 0, sizeof(*t));
	/* Stored specs (job params) hold credentials only sealed: open them
	 * with the state directory's key for as long as the client is built. */
	json_object *revealed = NULL;
	if (clxs_json_str(spec, "secret_enc", NULL)) {
		clxs_code rc = clxs_secret_spec_reveal(spec, &revealed, err);
		if (rc)
			return rc;
		spec = revealed;
	}
	clxs_code rc = (clxs_json_str(spec, "host", NULL) || clxs_json_str(spec, "profile", NULL))
			       ? open_remote(spec, t, err)
			       : open_embedded(spec, t, err);
	if (rc == CLXS_OK) {
		double rps = clxs_json_double(spec, "max_rps", 0);
		int par = (int)clxs_json_int(spec, "max_parallel_queries", 0);
		if (rps > 0 || par > 0)
			clxs_ws_limiter_configure(clxs_ws_limiter_global(), rps, par);
	}
	clxs_secret_spec_wipe(revealed);
	return rc;
}

void clxs_target_close(clxs_target *t)
{
	clxs_ws_client_free(t->ws);
	if (t->lakehouse)
		clxs_lh_service_close(t->lakehouse);
	memset(t, 0, sizeof(*t));
}
