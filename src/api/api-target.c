/* Which workspace a request works on. Today: the default workspace, the
 * embedded lakehouse under the state directory, opened in-process (the
 * lakehouse's SQLite files are safe to share between processes). */
#include <stdio.h>

#include "clxs/api_target.h"
#include "clxs/json.h"
#include "clxs/daemon.h"

json_object *clxs_api_target_spec(clxs_req *req, clxs_error *err)
{
	json_object *spec = json_object_new_object();
	if (!spec) {
		clxs_fail(err, CLXS_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	if (req->ctx->state_dir) {
		char dir[4200];
		if (clxs_path_join(dir, sizeof(dir), req->ctx->state_dir, "lakehouse", err)) {
			json_object_put(spec);
			return NULL;
		}
		clxs_json_set_str(spec, "lakehouse_dir", dir);
	}
	return spec;
}

clxs_code clxs_api_target_open(clxs_req *req, clxs_target *t, clxs_error *err)
{
	json_object *spec = clxs_api_target_spec(req, err);
	if (!spec)
		return err->code;
	clxs_code rc = clxs_target_open(spec, t, err);
	json_object_put(spec);
	return rc;
}
