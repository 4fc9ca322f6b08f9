/* Health: the shape is fixed by the API reference. */
#include "clxs/api.h"
#include "clxs/json.h"

void clxs_api_health(clxs_req *req, clxs_resp *resp)
{
	(void)req;
	json_object *o = json_object_new_object();
	clxs_json_set_str(o, "status", "ok");
	clxs_json_set_str(o, "service", "Clone-Xs");
	clxs_json_set_str(o, "runtime", "standalone");
	clxs_resp_json(resp, 200, o);
}
