/* GET /api/clone/ws/{job_id} in the route table, so the OpenAPI document
 * (and /docs) show the WebSocket endpoint. nginx sends that path to
 * clxs-events, which speaks WebSocket; a request that reaches the FastCGI
 * pool anyway (nginx bypassed) gets the same 426 clxs-events gives a plain
 * GET. */
#include <stdio.h>

#include "clxs/api.h"
#include "clxs/json.h"

void clxs_api_clone_ws(clxs_req *req, clxs_resp *resp)
{
	(void)req;
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "error_code", "UPGRADE_REQUIRED");
	clxs_json_set_str(o, "message", "this endpoint speaks WebSocket only (Upgrade: websocket, Connection: Upgrade)");
	json_object_object_add(o, "detail", NULL);
	clxs_resp_json(resp, 426, o);
	snprintf(resp->extra_headers, sizeof(resp->extra_headers), "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n");
}
