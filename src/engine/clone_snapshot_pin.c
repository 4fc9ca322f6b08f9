/* Clone snapshots, the model side: the version the snapshot in a model pins
 * for a table. No catalog access here, so the planner (and its unit test)
 * need nothing but the model. See include/clxs/clone_snapshot.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "clxs/clone_snapshot.h"
#include "clxs/json.h"

/* "schema.table" in lower case, as clxs_clone_snapshot_read keys them. */
static void table_key(char *buf, size_t len, const char *schema, const char *name)
{
	snprintf(buf, len, "%s.%s", schema, name);
	for (char *k = buf; *k; k++)
		*k = (char)tolower((unsigned char)*k);
}

bool clxs_clone_snapshot_version(json_object *model, const char *schema, const char *name, int64_t *version)
{
	json_object *snap = json_object_object_get(model, "snapshot");
	if (!snap)
		return false;
	char key[600];
	table_key(key, sizeof(key), schema, name);
	json_object *v = json_object_object_get(json_object_object_get(snap, "versions"), key);
	*version = v ? json_object_get_int64(v) : -1;
	return true;
}

json_object *clxs_clone_snapshot_summary(json_object *model)
{
	json_object *snap = json_object_object_get(model, "snapshot");
	if (!snap)
		return NULL;
	json_object *o = json_object_new_object();
	static const char *const keys[] = {"snapshot_id", "name", "captured_at"};
	for (size_t i = 0; i < 3; i++)
		clxs_json_set_str(o, keys[i], clxs_json_str(snap, keys[i], NULL));
	clxs_json_set_int(o, "tables", (int64_t)json_object_array_length(json_object_object_get(snap, "tables")));
	return o;
}
