/* The demo catalog generator: option validation and the build plan. Every
 * statement is built with the SQL builder; row data comes from a fixed
 * pseudo-random sequence so two builds with the same options make the same
 * catalog. Running the plan is demo_run.c. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clxs/demo.h"
#include "clxs/json.h"
#include "clxs/sql.h"

/* Rows are sent inline as VALUES, so one INSERT never carries more than
 * this many rows whatever batch_size says (docs/api-catalogs.md). */
#define MAX_ROWS_PER_INSERT 1000
/* Sample rows written to the volume's CSV file per industry. */
#define CSV_ROWS 25

/* ---- industries --------------------------------------------------------------- */

/* Retail and healthcare are hand-written below (customers, orders,
 * patients); the others share one shape: a dimension with PII and a fact
 * table with a foreign key to it, a CHECK on its measure and a history. */
typedef struct {
	const char *industry;
	const char *dim, *dim_comment, *fk;
	const char *fact, *fact_comment, *measure;
	const char *segments[4];
	const char *statuses[3]; /* the last one is filtered out of the silver view */
} industry_spec;

static const industry_spec generic[] = {
	{"financial", "accounts", "Bank accounts", "account_id", "transactions", "Card and wire transactions",
	 "amount", {"CHECKING", "SAVINGS", "CREDIT", "LOAN"}, {"POSTED", "PENDING", "REVERSED"}},
	{"manufacturing", "machines", "Production machines", "machine_id", "production_runs",
	 "Production runs per machine", "units", {"CNC", "PRESS", "LATHE", "ROBOT"}, {"OK", "REWORK", "SCRAP"}},
	{"telecom", "subscribers", "Mobile subscribers", "subscriber_id", "call_records", "Call detail records",
	 "duration_min", {"PREPAID", "POSTPAID", "BUSINESS", "IOT"}, {"COMPLETED", "DROPPED", "FAILED"}},
	{"energy", "meters", "Smart meters", "meter_id", "meter_readings", "Meter readings", "kwh",
	 {"RESIDENTIAL", "COMMERCIAL", "INDUSTRIAL", "SOLAR"}, {"ACTUAL", "CORRECTED", "ESTIMATED"}},
	{"insurance", "policies", "Insurance policies", "policy_id", "claims", "Insurance claims",
	 "claim_amount", {"AUTO", "HOME", "LIFE", "TRAVEL"}, {"APPROVED", "OPEN", "DENIED"}},
	{"logistics", "vehicles", "Fleet vehicles", "vehicle_id", "shipments", "Shipments", "weight_kg",
	 {"VAN", "TRUCK", "BIKE", "DRONE"}, {"DELIVERED", "IN_TRANSIT", "RETURNED"}},
	{"education", "students", "Enrolled students", "student_id", "enrollments", "Course enrollments",
	 "tuition", {"UNDERGRAD", "GRAD", "PHD", "EXCHANGE"}, {"COMPLETED", "ACTIVE", "WITHDRAWN"}},
	{"real_estate", "agents", "Real estate agents", "agent_id", "listings", "Property listings", "price",
	 {"CONDO", "HOUSE", "LAND", "OFFICE"}, {"SOLD", "LISTED", "WITHDRAWN"}},
};
#define NGENERIC (sizeof(generic) / sizeof(generic[0]))

static const char *const industry_names[] = {"retail", "healthcare", "financial", "manufacturing", "telecom",
					     "energy", "insurance", "logistics", "education", "real_estate",
					     NULL};

const char *const *clxs_demo_industries(void)
{
	return industry_names;
}

/* ---- options ------------------------------------------------------------------ */

static const char body_schema[] =
	"{\"type\":\"object\",\"required\":[\"catalog_name\"],\"additionalProperties\":false,\"properties\":{"
	"\"catalog_name\":{\"type\":\"string\",\"description\":\"Name of the catalog to create\"},"
	"\"industries\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"retail\",\"healthcare\","
	"\"financial\",\"manufacturing\",\"telecom\",\"energy\",\"insurance\",\"logistics\",\"education\","
	"\"real_estate\"]},\"description\":\"Industries to generate (default all 10)\"},"
	"\"owner\":{\"type\":[\"string\",\"null\"],\"description\":\"Set as catalog owner\"},"
	"\"scale_factor\":{\"type\":\"number\",\"default\":1.0,\"description\":\"Row multiplier\"},"
	"\"batch_size\":{\"type\":\"integer\",\"default\":5000000,\"description\":\"Rows per INSERT batch (at most 1000 are sent per statement)\"},"
	"\"max_workers\":{\"type\":\"integer\",\"default\":4,\"description\":\"Parallel SQL workers\"},"
	"\"storage_location\":{\"type\":[\"string\",\"null\"],\"description\":\"Optional managed location\"},"
	"\"warehouse_id\":{\"type\":[\"string\",\"null\"],\"description\":\"Override SQL warehouse\"},"
	"\"drop_existing\":{\"type\":\"boolean\",\"default\":false,\"description\":\"Drop an existing demo catalog first\"},"
	"\"medallion\":{\"type\":\"boolean\",\"default\":true,\"description\":\"Generate bronze/silver/gold schemas\"},"
	"\"create_functions\":{\"type\":\"boolean\",\"default\":true,\"description\":\"Generate UDFs, a column mask and a row filter\"},"
	"\"create_volumes\":{\"type\":\"boolean\",\"default\":true,\"description\":\"Generate a volume and sample files\"},"
	"\"start_date\":{\"type\":\"string\",\"default\":\"2020-01-01\",\"description\":\"Start of generated date range (YYYY-MM-DD)\"},"
	"\"end_date\":{\"type\":\"string\",\"default\":\"2025-01-01\",\"description\":\"End of generated date range (YYYY-MM-DD)\"},"
	"\"dest_catalog\":{\"type\":[\"string\",\"null\"],\"description\":\"Clone the generated catalog to this catalog afterwards\"}}}";

const char *clxs_demo_body_schema(void)
{
	return body_schema;
}

/* Days since 1970-01-01 of a strict YYYY-MM-DD date, or INT64_MIN. */
static int64_t parse_day(const char *s)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!s || strlen(s) != 10)
		return INT64_MIN;
	const char *end = strptime(s, "%Y-%m-%d", &tm);
	if (!end || *end)
		return INT64_MIN;
	int mday = tm.tm_mday, mon = tm.tm_mon;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mday != mday || tm.tm_mon != mon) /* 2021-02-30 normalises: refuse */
		return INT64_MIN;
	return (int64_t)(t / 86400);
}

static void format_day(int64_t day, char out[16])
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 16, "%Y-%m-%d", &tm);
}

static bool opt_str(json_object *body, json_object *out, const char *key, bool required, clxs_error *err)
{
	json_object *v = json_object_object_get(body, key);
	if (!v) {
		if (required) {
			clxs_fail(err, CLXS_EVALIDATION, key, "%s is required", key);
			return false;
		}
		json_object_object_add(out, key, NULL);
		return true;
	}
	if (!json_object_is_type(v, json_type_string) || json_object_get_string_len(v) == 0 ||
	    json_object_get_string_len(v) > 255) {
		clxs_fail(err, CLXS_EVALIDATION, key, "%s must be a non-empty string of at most 255 characters", key);
		return false;
	}
	json_object_object_add(out, key, json_object_get(v));
	return true;
}

static bool opt_bool(json_object *body, json_object *out, const char *key, bool dflt, clxs_error *err)
{
	json_object *v = json_object_object_get(body, key);
	if (v && !json_object_is_type(v, json_type_boolean)) {
		clxs_fail(err, CLXS_EVALIDATION, key, "%s must be a boolean", key);
		return false;
	}
	json_object_object_add(out, key, json_object_new_boolean(v ? json_object_get_boolean(v) : dflt));
	return true;
}

static bool opt_int(json_object *body, json_object *out, const char *key, int64_t dflt, int64_t lo, int64_t hi,
		    clxs_error *err)
{
	json_object *v = json_object_object_get(body, key);
	if (v && (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < lo ||
		  json_object_get_int64(v) > hi)) {
		clxs_fail(err, CLXS_EVALIDATION, key, "%s must be an integer from %lld to %lld", key, (long long)lo,
			  (long long)hi);
		return false;
	}
	json_object_object_add(out, key, json_object_new_int64(v ? json_object_get_int64(v) : dflt));
	return true;
}

json_object *clxs_demo_validate(json_object *body, clxs_error *err)
{
	static const char *const known[] = {"catalog_name", "industries", "owner", "scale_factor", "batch_size",
					    "max_workers", "storage_location", "warehouse_id", "drop_existing",
					    "medallion", "create_functions", "create_volumes", "start_date",
					    "end_date", "dest_catalog", NULL};
	if (!body || !json_object_is_type(body, json_type_object)) {
		clxs_fail(err, CLXS_EINVAL, "body", "the request body must be a JSON object");
		return NULL;
	}
	json_object_object_foreach(body, key, val) {
		(void)val;
		size_t i = 0;
		while (known[i] && strcmp(known[i], key))
			i++;
		if (!known[i]) {
			clxs_fail(err, CLXS_EVALIDATION, key, "unknown field '%s'", key);
			return NULL;
		}
	}
	json_object *o = json_object_new_object();
	bool ok = opt_str(body, o, "catalog_name", true, err) && opt_str(body, o, "owner", false, err) &&
		  opt_str(body, o, "storage_location", false, err) && opt_str(body, o, "warehouse_id", false, err) &&
		  opt_str(body, o, "dest_catalog", false, err) &&
		  opt_int(body, o, "batch_size", 5000000, 1, 1000000000, err) &&
		  opt_int(body, o, "max_workers", 4, 1, 64, err) && opt_bool(body, o, "drop_existing", false, err) &&
		  opt_bool(body, o, "medallion", true, err) && opt_bool(body, o, "create_functions", true, err) &&
		  opt_bool(body, o, "create_volumes", true, err);
	if (ok) {
		json_object *v = json_object_object_get(body, "scale_factor");
		double s = 1.0;
		if (v && !json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
			s = -1;
		else if (v)
			s = json_object_get_double(v);
		if (!(s > 0 && s <= 1000)) {
			clxs_fail(err, CLXS_EVALIDATION, "scale_factor", "scale_factor must be a number above 0 and at most 1000");
			ok = false;
		}
		/* Serialised as written ("0.2", not 0.20000000000000001). */
		char txt[32];
		snprintf(txt, sizeof(txt), "%.15g", s);
		json_object_object_add(o, "scale_factor", json_object_new_double_s(s, txt));
	}
	for (int i = 0; ok && i < 2; i++) {
		const char *dkey = i ? "end_date" : "start_date";
		json_object *v = json_object_object_get(body, dkey);
		const char *s = v ? json_object_get_string(v) : (i ? "2025-01-01" : "2020-01-01");
		if ((v && !json_object_is_type(v, json_type_string)) || parse_day(s) == INT64_MIN) {
			clxs_fail(err, CLXS_EVALIDATION, dkey, "%s must be a date YYYY-MM-DD", dkey);
			ok = false;
		} else {
			clxs_json_set_str(o, dkey, s);
		}
	}
	if (ok && parse_day(clxs_json_str(o, "start_date", "")) >= parse_day(clxs_json_str(o, "end_date", ""))) {
		clxs_fail(err, CLXS_EVALIDATION, "end_date", "end_date must be after start_date");
		ok = false;
	}
	if (ok) {
		json_object *v = json_object_object_get(body, "industries"), *list = json_object_new_array();
		json_object_object_add(o, "industries", list);
		if (v && (!json_object_is_type(v, json_type_array) || json_object_array_length(v) == 0)) {
			clxs_fail(err, CLXS_EVALIDATION, "industries", "industries must be a non-empty array of names");
			ok = false;
		}
		/* Kept in the fixed order whatever order was asked, so equal
		 * selections build equal catalogs. */
		for (size_t k = 0; ok && industry_names[k]; k++) {
			bool want = !v;
			for (size_t j = 0; v && j < json_object_array_length(v); j++) {
				const char *s = json_object_get_string(json_object_array_get_idx(v, j));
				if (s && !strcasecmp(s, industry_names[k]))
					want = true;
			}
			if (want)
				json_object_array_add(list, json_object_new_string(industry_names[k]));
		}
		for (size_t j = 0; ok && v && j < json_object_array_length(v); j++) {
			json_object *it = json_object_array_get_idx(v, j);
			const char *s = json_object_is_type(it, json_type_string) ? json_object_get_string(it) : NULL;
			size_t k = 0;
			while (s && industry_names[k] && strcasecmp(s, industry_names[k]))
				k++;
			if (!s || !industry_names[k]) {
				clxs_fail(err, CLXS_EVALIDATION, "industries",
					  "unknown industry '%.100s' (known: retail, healthcare, financial, manufacturing, "
					  "telecom, energy, insurance, logistics, education, real_estate)",
					  s ? s : json_object_to_json_string(it));
				ok = false;
			}
		}
	}
	const char *dest = clxs_json_str(o, "dest_catalog", NULL);
	if (ok && dest && !strcmp(dest, clxs_json_str(o, "catalog_name", ""))) {
		clxs_fail(err, CLXS_EVALIDATION, "dest_catalog", "dest_catalog must differ from catalog_name");
		ok = false;
	}
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* ---- the plan ----------------------------------------------------------------- */

typedef struct {
	json_object *pre, *loads, *post, *files;
	json_object *cur;   /* the array statements go to */
	clxs_buf b;
	clxs_error *err;
	clxs_code rc;
	uint64_t seed;
	const char *cat;
	const char *bronze, *silver, *gold;
	bool functions, volumes;
	double scale;
	int batch;
	int64_t day0, ndays;
	int64_t rows, tables, views, nfunctions;
} gen;

static void add(gen *g)
{
	if (g->rc == CLXS_OK && clxs_buf_failed(&g->b))
		g->rc = clxs_fail(g->err, CLXS_ENOMEM, NULL, "out of memory");
	if (g->rc == CLXS_OK)
		json_object_array_add(g->cur, json_object_new_string(clxs_buf_str(&g->b)));
	clxs_buf_reset(&g->b);
}

#define SQL(...) do { if (g->rc == CLXS_OK) g->rc = clxs_sql_appendf(&g->b, g->err, __VA_ARGS__); } while (0)

static uint32_t rnd(gen *g)
{
	g->seed = g->seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(g->seed >> 33);
}

static int rows_for(gen *g, int base)
{
	double n = floor(base * g->scale + 0.5);
	return n < 1 ? 1 : n > 100000000 ? 100000000 : (int)n;
}

static void day_in_range(gen *g, char out[16])
{
	format_day(g->day0 + (int64_t)(rnd(g) % (uint32_t)g->ndays), out);
}

static void new_load(gen *g)
{
	g->cur = json_object_new_array();
	json_object_array_add(g->loads, g->cur);
}

static void add_file(gen *g, const char *path, clxs_buf *content)
{
	if (!g->volumes || g->rc != CLXS_OK)
		return;
	json_object *f = json_object_new_object();
	clxs_json_set_str(f, "schema", g->bronze);
	clxs_json_set_str(f, "volume", "landing");
	clxs_json_set_str(f, "path", path);
	clxs_json_set_str(f, "content", clxs_buf_str(content));
	json_object_array_add(g->files, f);
}

static const char *const first[] = {"Ada", "Grace", "Linus", "Edsger", "Barbara", "Ken", "Donald",
				     "Frances", "Alan", "Margaret", "Dennis", "Radia"};
static const char *const last[] = {"Lovelace", "Hopper", "Torvalds", "Dijkstra", "Liskov", "Thompson",
				    "Knuth", "Allen", "Turing", "Hamilton", "Ritchie", "Perlman"};
static const char *const regions[] = {"EU", "US", "APAC", "LATAM", "RESTRICTED"};
static const char *const statuses[] = {"NEW", "PAID", "SHIPPED", "CANCELLED"};
static const char *const diagnoses[] = {"J06.9", "E11.9", "I10", "M54.5", "F41.1"};

/* The table properties every demo table carries. */
static void demo_props(gen *g, const char *industry, const char *layer)
{
	SQL(" TBLPROPERTIES (%L = %L, %L = %L, %L = %L)", CLXS_DEMO_MARK_KEY, CLXS_DEMO_MARK_VALUE, "demo.industry",
	    industry, "quality", layer);
}

/* ---- retail and healthcare ---- */

static void customers(gen *g, int n, clxs_buf *csv)
{
	for (int lo = 0; lo < n && g->rc == CLXS_OK; lo += g->batch) {
		SQL("INSERT INTO %Q VALUES ", g->cat, g->bronze, "customers");
		for (int i = lo; i < n && i < lo + g->batch; i++) {
			char name[64], email[96], day[16];
			const char *f = first[rnd(g) % 12], *l = last[rnd(g) % 12];
			snprintf(name, sizeof(name), "%s %s", f, l);
			snprintf(email, sizeof(email), "%s.%s%d@example.com", f, l, i);
			day_in_range(g, day);
			const char *region = regions[rnd(g) % 5];
			SQL(i > lo ? ", (%d, %L, %L, %L, DATE %L)" : "(%d, %L, %L, %L, DATE %L)", i, name, email,
			    region, day);
			if (i < CSV_ROWS)
				clxs_buf_appendf(csv, "%d,%s,%s,%s,%s\n", i, name, email, region, day);
		}
		add(g);
	}
}

static void orders(gen *g, int from, int to, int ncustomers)
{
	for (int lo = from; lo < to && g->rc == CLXS_OK; lo += g->batch) {
		SQL("INSERT INTO %Q VALUES ", g->cat, g->bronze, "orders");
		for (int i = lo; i < to && i < lo + g->batch; i++) {
			char amount[32], ts[40], day[16];
			snprintf(amount, sizeof(amount), "%u.%02u", rnd(g) % 500, rnd(g) % 100);
			day_in_range(g, day);
			snprintf(ts, sizeof(ts), "%s %02u:%02u:00", day, rnd(g) % 24, rnd(g) % 60);
			SQL(i > lo ? ", (%d, %d, CAST(%L AS DECIMAL(10,2)), %L, TIMESTAMP %L)"
				   : "(%d, %d, CAST(%L AS DECIMAL(10,2)), %L, TIMESTAMP %L)",
			    i, (int)(rnd(g) % (uint32_t)ncustomers), amount, statuses[rnd(g) % 4], ts);
		}
		add(g);
	}
}

static void patients(gen *g, int n)
{
	for (int lo = 0; lo < n && g->rc == CLXS_OK; lo += g->batch) {
		SQL("INSERT INTO %Q VALUES ", g->cat, g->bronze, "patients");
		for (int i = lo; i < n && i < lo + g->batch; i++) {
			char name[64], ssn[16];
			snprintf(name, sizeof(name), "%s %s", first[rnd(g) % 12], last[rnd(g) % 12]);
			snprintf(ssn, sizeof(ssn), "%03u-%02u-%04u", rnd(g) % 900 + 100, rnd(g) % 90 + 10, rnd(g) % 9000 + 1000);
			SQL(i > lo ? ", (%d, %L, %L, %L, %L)" : "(%d, %L, %L, %L, %L)", i, name, ssn,
			    diagnoses[rnd(g) % 5], regions[rnd(g) % 5]);
		}
		add(g);
	}
}

static void retail(gen *g)
{
	int ncust = rows_for(g, 200), nord = rows_for(g, 1000);
	g->cur = g->pre;
	SQL("CREATE TABLE %Q (id BIGINT NOT NULL COMMENT %L, name STRING COMMENT %L, "
	    "email STRING COMMENT %L, region STRING, created DATE, "
	    "CONSTRAINT %I PRIMARY KEY (id)) COMMENT %L",
	    g->cat, g->bronze, "customers", "Customer id", "Full name (PII)", "Contact e-mail (PII)", "customers_pk",
	    "Retail customers");
	demo_props(g, "retail", "bronze");
	add(g);
	SQL("CREATE TABLE %Q (id BIGINT NOT NULL, customer_id BIGINT, amount DECIMAL(10,2), "
	    "status STRING, ordered_at TIMESTAMP, CONSTRAINT %I PRIMARY KEY (id), "
	    "CONSTRAINT %I FOREIGN KEY (customer_id) REFERENCES %Q (id), "
	    "CONSTRAINT %I CHECK (amount >= 0)) COMMENT %L",
	    g->cat, g->bronze, "orders", "orders_pk", "orders_customer_fk", g->cat, g->bronze, "customers",
	    "amount_non_negative", "Retail orders");
	demo_props(g, "retail", "bronze");
	add(g);
	g->tables += 2;
	g->rows += ncust + nord;

	clxs_buf csv;
	clxs_buf_init(&csv);
	clxs_buf_puts(&csv, "id,name,email,region,created\n");
	new_load(g);
	customers(g, ncust, &csv);
	add_file(g, "retail/customers.csv", &csv);
	clxs_buf_free(&csv);
	/* Several versions of history: two batches, an update, a delete. */
	new_load(g);
	orders(g, 0, nord / 2, ncust);
	orders(g, nord / 2, nord, ncust);
	SQL("UPDATE %Q SET status = %L WHERE status = %L AND id %% 7 = 0", g->cat, g->bronze, "orders", "SHIPPED", "PAID");
	add(g);
	SQL("DELETE FROM %Q WHERE status = %L AND id %% 11 = 0", g->cat, g->bronze, "orders", "CANCELLED");
	add(g);

	g->cur = g->post;
	SQL("CREATE OR REPLACE VIEW %Q COMMENT %L AS SELECT id, customer_id, amount, status FROM %Q "
	    "WHERE status <> %L", g->cat, g->silver, "orders_clean", "Orders without cancellations", g->cat, g->bronze,
	    "orders", "CANCELLED");
	add(g);
	SQL("CREATE OR REPLACE VIEW %Q COMMENT %L AS SELECT c.region, COUNT(*) AS orders, SUM(o.amount) AS revenue "
	    "FROM %Q o JOIN %Q c ON o.customer_id = c.id GROUP BY c.region", g->cat, g->gold, "revenue_by_region",
	    "Revenue per region", g->cat, g->silver, "orders_clean", g->cat, g->bronze, "customers");
	add(g);
	g->views += 2;
	if (g->functions) {
		SQL("ALTER TABLE %Q ALTER COLUMN email SET MASK %Q", g->cat, g->bronze, "customers", g->cat, g->silver,
		    "mask_email");
		add(g);
	}
	SQL("ALTER TABLE %Q SET TAGS (%L = %L, %L = %L)", g->cat, g->bronze, "orders", "domain", "sales", "industry",
	    "retail");
	add(g);
	SQL("ALTER TABLE %Q ALTER COLUMN email SET TAGS (%L = %L)", g->cat, g->bronze, "customers", "pii", "email");
	add(g);
	SQL("GRANT SELECT, MODIFY ON TABLE %Q TO %I", g->cat, g->bronze, "orders", "etl");
	add(g);
}

static void healthcare(gen *g)
{
	int npat = rows_for(g, 100);
	g->cur = g->pre;
	SQL("CREATE TABLE %Q (id BIGINT NOT NULL, name STRING COMMENT %L, ssn STRING COMMENT %L, "
	    "diagnosis STRING, region STRING) COMMENT %L",
	    g->cat, g->bronze, "patients", "Full name (PII)", "Social security number (PII)", "Healthcare patients");
	demo_props(g, "healthcare", "bronze");
	add(g);
	g->tables++;
	g->rows += npat;
	new_load(g);
	patients(g, npat);

	g->cur = g->post;
	if (g->functions) {
		SQL("ALTER TABLE %Q SET ROW FILTER %Q ON (region)", g->cat, g->bronze, "patients", g->cat, g->silver,
		    "region_filter");
		add(g);
	}
	SQL("ALTER TABLE %Q ALTER COLUMN ssn SET TAGS (%L = %L)", g->cat, g->bronze, "patients", "pii", "ssn");
	add(g);
	SQL("ALTER TABLE %Q SET TAGS (%L = %L)", g->cat, g->bronze, "patients", "industry", "healthcare");
	add(g);
	SQL("ALTER TABLE %Q OWNER TO %I", g->cat, g->bronze, "patients", "clinical-admins");
	add(g);
}

/* ---- the other industries ---- */

static void generic_industry(gen *g, const industry_spec *s)
{
	int ndim = rows_for(g, 50), nfact = rows_for(g, 300);
	char name[128];
	g->cur = g->pre;
	snprintf(name, sizeof(name), "%s_pk", s->dim);
	SQL("CREATE TABLE %Q (id BIGINT NOT NULL COMMENT %L, name STRING COMMENT %L, email STRING COMMENT %L, "
	    "phone STRING COMMENT %L, segment STRING, region STRING, since DATE, CONSTRAINT %I PRIMARY KEY (id)) "
	    "COMMENT %L",
	    g->cat, g->bronze, s->dim, "Identifier", "Full name (PII)", "Contact e-mail (PII)", "Phone number (PII)",
	    name, s->dim_comment);
	demo_props(g, s->industry, "bronze");
	add(g);
	char pk[128], fkn[128], chk[128];
	snprintf(pk, sizeof(pk), "%s_pk", s->fact);
	snprintf(fkn, sizeof(fkn), "%s_%s_fk", s->fact, s->dim);
	snprintf(chk, sizeof(chk), "%s_non_negative", s->measure);
	SQL("CREATE TABLE %Q (id BIGINT NOT NULL, %I BIGINT, %I DECIMAL(12,2), status STRING, event_date DATE, "
	    "CONSTRAINT %I PRIMARY KEY (id), CONSTRAINT %I FOREIGN KEY (%I) REFERENCES %Q (id), "
	    "CONSTRAINT %I CHECK (%I >= 0)) COMMENT %L",
	    g->cat, g->bronze, s->fact, s->fk, s->measure, pk, fkn, s->fk, g->cat, g->bronze, s->dim, chk,
	    s->measure, s->fact_comment);
	demo_props(g, s->industry, "bronze");
	add(g);
	g->tables += 2;
	g->rows += ndim + nfact;

	clxs_buf csv;
	clxs_buf_init(&csv);
	clxs_buf_puts(&csv, "id,segment,region,since\n");
	new_load(g);
	for (int lo = 0; lo < ndim && g->rc == CLXS_OK; lo += g->batch) {
		SQL("INSERT INTO %Q VALUES ", g->cat, g->bronze, s->dim);
		for (int i = lo; i < ndim && i < lo + g->batch; i++) {
			char nm[64], email[96], phone[24], day[16];
			const char *f = first[rnd(g) % 12], *l = last[rnd(g) % 12];
			snprintf(nm, sizeof(nm), "%s %s", f, l);
			snprintf(email, sizeof(email), "%s.%s%d@example.com", f, l, i);
			snprintf(phone, sizeof(phone), "+1-555-%04u", rnd(g) % 10000);
			const char *seg = s->segments[rnd(g) % 4], *region = regions[rnd(g) % 5];
			day_in_range(g, day);
			SQL(i > lo ? ", (%d, %L, %L, %L, %L, %L, DATE %L)" : "(%d, %L, %L, %L, %L, %L, DATE %L)", i, nm,
			    email, phone, seg, region, day);
			/* The landing file holds no PII. */
			if (i < CSV_ROWS)
				clxs_buf_appendf(&csv, "%d,%s,%s,%s\n", i, seg, region, day);
		}
		add(g);
	}
	snprintf(name, sizeof(name), "%s/%s.csv", s->industry, s->dim);
	add_file(g, name, &csv);
	clxs_buf_free(&csv);

	/* The fact table's history: two appends and a correction. */
	new_load(g);
	for (int half = 0; half < 2; half++) {
		int from = half ? nfact / 2 : 0, to = half ? nfact : nfact / 2;
		for (int lo = from; lo < to && g->rc == CLXS_OK; lo += g->batch) {
			SQL("INSERT INTO %Q VALUES ", g->cat, g->bronze, s->fact);
			for (int i = lo; i < to && i < lo + g->batch; i++) {
				char v[32], day[16];
				snprintf(v, sizeof(v), "%u.%02u", rnd(g) % 2000, rnd(g) % 100);
				day_in_range(g, day);
				SQL(i > lo ? ", (%d, %d, CAST(%L AS DECIMAL(12,2)), %L, DATE %L)"
					   : "(%d, %d, CAST(%L AS DECIMAL(12,2)), %L, DATE %L)",
				    i, (int)(rnd(g) % (uint32_t)ndim), v, s->statuses[rnd(g) % 3], day);
			}
			add(g);
		}
	}
	SQL("UPDATE %Q SET status = %L WHERE status = %L AND id %% 5 = 0", g->cat, g->bronze, s->fact, s->statuses[0],
	    s->statuses[1]);
	add(g);

	g->cur = g->post;
	char view[160], kpis[160];
	snprintf(view, sizeof(view), "%s_enriched", s->fact);
	snprintf(kpis, sizeof(kpis), "%s_kpis", s->industry);
	SQL("CREATE OR REPLACE VIEW %Q COMMENT %L AS SELECT f.id, f.%I, d.segment, d.region, f.%I AS measure, "
	    "f.status, f.event_date FROM %Q f JOIN %Q d ON f.%I = d.id WHERE f.status <> %L",
	    g->cat, g->silver, view, "Facts joined to their dimension, without the discarded status", s->fk,
	    s->measure, g->cat, g->bronze, s->fact, g->cat, g->bronze, s->dim, s->fk, s->statuses[2]);
	add(g);
	if (g->functions)
		SQL("CREATE OR REPLACE VIEW %Q COMMENT %L AS SELECT segment, region, COUNT(*) AS events, "
		    "SUM(measure) AS total, %Q(MAX(measure)) AS top_band FROM %Q GROUP BY segment, region",
		    g->cat, g->gold, kpis, "Key figures per segment and region", g->cat, g->silver, "value_band", g->cat,
		    g->silver, view);
	else
		SQL("CREATE OR REPLACE VIEW %Q COMMENT %L AS SELECT segment, region, COUNT(*) AS events, "
		    "SUM(measure) AS total FROM %Q GROUP BY segment, region",
		    g->cat, g->gold, kpis, "Key figures per segment and region", g->cat, g->silver, view);
	add(g);
	g->views += 2;
	if (g->functions) {
		SQL("ALTER TABLE %Q ALTER COLUMN email SET MASK %Q", g->cat, g->bronze, s->dim, g->cat, g->silver,
		    "mask_email");
		add(g);
	}
	SQL("ALTER TABLE %Q SET TAGS (%L = %L)", g->cat, g->bronze, s->dim, "industry", s->industry);
	add(g);
	SQL("ALTER TABLE %Q SET TAGS (%L = %L)", g->cat, g->bronze, s->fact, "industry", s->industry);
	add(g);
	SQL("ALTER TABLE %Q ALTER COLUMN email SET TAGS (%L = %L)", g->cat, g->bronze, s->dim, "pii", "email");
	add(g);
	SQL("ALTER TABLE %Q ALTER COLUMN phone SET TAGS (%L = %L)", g->cat, g->bronze, s->dim, "pii", "phone");
	add(g);
	SQL("GRANT SELECT, MODIFY ON TABLE %Q TO %I", g->cat, g->bronze, s->fact, "etl");
	add(g);
}

static bool wanted(json_object *list, const char *industry)
{
	for (size_t i = 0; i < json_object_array_length(list); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(list, i)), industry))
			return true;
	return false;
}

json_object *clxs_demo_plan(json_object *opts, clxs_error *err)
{
	gen G;
	memset(&G, 0, sizeof(G));
	gen *g = &G;
	g->err = err;
	g->seed = 42;
	g->cat = clxs_json_str(opts, "catalog_name", NULL);
	if (!g->cat) {
		clxs_fail(err, CLXS_EVALIDATION, "catalog_name", "catalog_name is required");
		return NULL;
	}
	bool medallion = clxs_json_bool(opts, "medallion", true);
	g->bronze = medallion ? "bronze" : "demo";
	g->silver = medallion ? "silver" : "demo";
	g->gold = medallion ? "gold" : "demo";
	g->functions = clxs_json_bool(opts, "create_functions", true);
	g->volumes = clxs_json_bool(opts, "create_volumes", true);
	g->scale = clxs_json_double(opts, "scale_factor", 1.0);
	int64_t batch = clxs_json_int(opts, "batch_size", 5000000);
	g->batch = batch < 1 ? 1 : batch > MAX_ROWS_PER_INSERT ? MAX_ROWS_PER_INSERT : (int)batch;
	g->day0 = parse_day(clxs_json_str(opts, "start_date", "2020-01-01"));
	int64_t day1 = parse_day(clxs_json_str(opts, "end_date", "2025-01-01"));
	if (g->day0 == INT64_MIN || day1 == INT64_MIN || day1 <= g->day0 || !(g->scale > 0 && g->scale <= 1000)) {
		clxs_fail(err, CLXS_EVALIDATION, "scale_factor", "options were not validated");
		return NULL;
	}
	g->ndays = day1 - g->day0;
	json_object *industries = json_object_object_get(opts, "industries");
	json_object *all = NULL;
	if (!industries) {
		all = json_object_new_array();
		for (size_t i = 0; industry_names[i]; i++)
			json_object_array_add(all, json_object_new_string(industry_names[i]));
		industries = all;
	}
	g->pre = json_object_new_array();
	g->loads = json_object_new_array();
	g->post = json_object_new_array();
	g->files = json_object_new_array();
	clxs_buf_init(&g->b);

	g->cur = g->pre;
	const char *loc = clxs_json_str(opts, "storage_location", NULL);
	if (loc)
		SQL("CREATE CATALOG %I MANAGED LOCATION %L COMMENT %L", g->cat, loc,
		    "Clone-Xs demo catalog: synthetic data across industries");
	else
		SQL("CREATE CATALOG %I COMMENT %L", g->cat, "Clone-Xs demo catalog: synthetic data across industries");
	add(g);
	static const char *const layers[][2] = {{"bronze", "Raw data as it lands"},
						{"silver", "Cleaned data and shared functions"},
						{"gold", "Business aggregates"}};
	int nschemas = medallion ? 3 : 1;
	for (int i = 0; i < nschemas; i++) {
		SQL("CREATE SCHEMA IF NOT EXISTS %Q COMMENT %L", g->cat, medallion ? layers[i][0] : "demo", NULL,
		    medallion ? layers[i][1] : "Demo data (medallion off)");
		add(g);
	}
	if (g->functions) {
		SQL("CREATE OR REPLACE FUNCTION %Q(email STRING) RETURNS STRING COMMENT %L "
		    "RETURN CONCAT(SUBSTR(email, 1, 2), %L)", g->cat, g->silver, "mask_email",
		    "Masks an e-mail address", "***");
		add(g);
		SQL("CREATE OR REPLACE FUNCTION %Q(region STRING) RETURNS BOOLEAN COMMENT %L "
		    "RETURN region <> %L", g->cat, g->silver, "region_filter", "Hides restricted regions", "RESTRICTED");
		add(g);
		SQL("CREATE OR REPLACE FUNCTION %Q(v DECIMAL(12,2)) RETURNS STRING COMMENT %L "
		    "RETURN CASE WHEN v >= 1000 THEN %L WHEN v >= 100 THEN %L ELSE %L END", g->cat, g->silver,
		    "value_band", "Bands a measure into LOW, MEDIUM and HIGH", "HIGH", "MEDIUM", "LOW");
		add(g);
		g->nfunctions = 3;
	}
	if (wanted(industries, "retail"))
		retail(g);
	if (wanted(industries, "healthcare"))
		healthcare(g);
	for (size_t i = 0; i < NGENERIC; i++)
		if (wanted(industries, generic[i].industry))
			generic_industry(g, &generic[i]);

	g->cur = g->post;
	if (g->volumes) {
		SQL("CREATE VOLUME IF NOT EXISTS %Q COMMENT %L", g->cat, g->bronze, "landing", "Raw files as they arrive");
		add(g);
		SQL("ALTER VOLUME %Q SET TAGS (%L = %L)", g->cat, g->bronze, "landing", "source", "sftp");
		add(g);
		SQL("GRANT READ VOLUME ON VOLUME %Q TO %I", g->cat, g->bronze, "landing", "etl");
		add(g);
		clxs_buf readme;
		clxs_buf_init(&readme);
		clxs_buf_puts(&readme, "Clone-Xs demo landing zone.\n\nOne folder per industry with a sample of the "
				       "rows loaded into the bronze tables (no PII).\n");
		add_file(g, "README.txt", &readme);
		clxs_buf_free(&readme);
	}
	SQL("ALTER CATALOG %I SET TAGS (%L = %L)", g->cat, "env", "demo");
	add(g);
	for (int i = 0; i < nschemas; i++) {
		const char *s = medallion ? layers[i][0] : "demo";
		SQL("ALTER SCHEMA %Q SET TAGS (%L = %L)", g->cat, s, NULL, "layer", s);
		add(g);
	}
	SQL("GRANT USE CATALOG ON CATALOG %I TO %I", g->cat, "analysts");
	add(g);
	SQL("GRANT USE SCHEMA, SELECT ON SCHEMA %Q TO %I", g->cat, g->gold, NULL, "analysts");
	add(g);
	if (g->functions) {
		SQL("GRANT EXECUTE ON FUNCTION %Q TO %I", g->cat, g->silver, "value_band", "analysts");
		add(g);
	}
	const char *owner = clxs_json_str(opts, "owner", NULL);
	if (owner) {
		SQL("ALTER CATALOG %I OWNER TO %I", g->cat, owner);
		add(g);
	}
	clxs_buf_free(&g->b);
	json_object_put(all);

	json_object *out = json_object_new_object();
	json_object_object_add(out, "pre", g->pre);
	json_object_object_add(out, "loads", g->loads);
	json_object_object_add(out, "post", g->post);
	json_object_object_add(out, "files", g->files);
	if (g->rc != CLXS_OK) {
		json_object_put(out);
		return NULL;
	}
	size_t nstmts = json_object_array_length(g->pre) + json_object_array_length(g->post);
	for (size_t i = 0; i < json_object_array_length(g->loads); i++)
		nstmts += json_object_array_length(json_object_array_get_idx(g->loads, i));
	json_object *counts = json_object_new_object();
	clxs_json_set_int(counts, "schemas", nschemas);
	clxs_json_set_int(counts, "tables", g->tables);
	clxs_json_set_int(counts, "views", g->views);
	clxs_json_set_int(counts, "functions", g->nfunctions);
	clxs_json_set_int(counts, "volumes", g->volumes ? 1 : 0);
	clxs_json_set_int(counts, "files", (int64_t)json_object_array_length(g->files));
	clxs_json_set_int(counts, "rows", g->rows);
	clxs_json_set_int(counts, "statements", (int64_t)nstmts);
	json_object_object_add(out, "counts", counts);
	return out;
}
