/* The workspace an API request works on. Handlers never build a target
 * themselves: they ask here, so the login rules (session, per-request
 * headers, the configured default) live in one place. */
#ifndef CLXS_API_TARGET_H
#define CLXS_API_TARGET_H

#include <json-c/json.h>

#include "clxs/api.h"
#include "clxs/target.h"

/* The target spec (clxs_target_open's shape) for this request. With no
 * login it is the default workspace: the embedded lakehouse in
 * STATE/lakehouse. The spec may be stored in a job's params, so it never
 * holds a plaintext secret. NULL with err set on failure. */
json_object *clxs_api_target_spec(clxs_req *req, clxs_error *err);

/* Open the request's target (clxs_target_close when done). */
clxs_code clxs_api_target_open(clxs_req *req, clxs_target *t, clxs_error *err);

#endif
