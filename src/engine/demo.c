/* The demo catalog generator. Every statement is built with the SQL
 * builder; row data comes from a fixed pseudo-random sequence so two runs at
 * the same scale build the same catalog. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "clxs/demo.h"
#include "clxs/sql.h"

typedef struct {
	json_object *out;
	clxs_buf b;
	clxs_error *err;
	clxs_code rc;
	uint64_t seed;
} gen;

static void add(gen *g)
{
	if (g->rc == CLXS_OK && clxs_buf_failed(&g->b))
		g->rc = clxs_fail(g->err, CLXS_ENOMEM, NULL, "out of memory");
	if (g->rc == CLXS_OK)
		json_object_array_add(g->out, json_object_new_string(clxs_buf_str(&g->b)));
	clxs_buf_reset(&g->b);
}

#define SQL(...) do { if (g->rc == CLXS_OK) g->rc = clxs_sql_appendf(&g->b, g->err, __VA_ARGS__); } while (0)

static uint32_t rnd(gen *g)
{
	g->seed = g->seed * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(g->seed >> 33);
}

static const char *const first[] = {"Ada", "Grace", "Linus", "Edsger", "Barbara", "Ken", "Donald",
				     "Frances", "Alan", "Margaret", "Dennis", "Radia"};
static const char *const last[] = {"Lovelace", "Hopper", "Torvalds", "Dijkstra", "Liskov", "Thompson",
				    "Knuth", "Allen", "Turing", "Hamilton", "Ritchie", "Perlman"};
static const char *const regions[] = {"EU", "US", "APAC", "LATAM", "RESTRICTED"};
static const char *const statuses[] = {"NEW", "PAID", "SHIPPED", "CANCELLED"};
static const char *const diagnoses[] = {"J06.9", "E11.9", "I10", "M54.5", "F41.1"};

/* INSERT in batches of 250 rows: one statement per batch keeps each
 * statement small and makes one table version per batch. */
static void customers(gen *g, const char *cat, int from, int to)
{
	for (int lo = from; lo < to && g->rc == CLXS_OK; lo += 250) {
		SQL("INSERT INTO %Q VALUES ", cat, "bronze", "customers");
		for (int i = lo; i < to && i < lo + 250; i++) {
			char name[64], email[96], day[16];
			const char *f = first[rnd(g) % 12], *l = last[rnd(g) % 12];
			snprintf(name, sizeof(name), "%s %s", f, l);
			snprintf(email, sizeof(email), "%s.%s%d@example.com", f, l, i);
			snprintf(day, sizeof(day), "2025-%02u-%02u", 1 + rnd(g) % 12, 1 + rnd(g) % 28);
			SQL(i > lo ? ", (%d, %L, %L, %L, DATE %L)" : "(%d, %L, %L, %L, DATE %L)", i, name, email,
			    regions[rnd(g) % 5], day);
		}
		add(g);
	}
}

static void orders(gen *g, const char *cat, int from, int to, int ncustomers)
{
	for (int lo = from; lo < to && g->rc == CLXS_OK; lo += 250) {
		SQL("INSERT INTO %Q VALUES ", cat, "bronze", "orders");
		for (int i = lo; i < to && i < lo + 250; i++) {
			char amount[32], ts[32];
			snprintf(amount, sizeof(amount), "%u.%02u", rnd(g) % 500, rnd(g) % 100);
			snprintf(ts, sizeof(ts), "2026-%02u-%02u %02u:%02u:00", 1 + rnd(g) % 10, 1 + rnd(g) % 28,
				 rnd(g) % 24, rnd(g) % 60);
			SQL(i > lo ? ", (%d, %d, CAST(%L AS DECIMAL(10,2)), %L, TIMESTAMP %L)"
				   : "(%d, %d, CAST(%L AS DECIMAL(10,2)), %L, TIMESTAMP %L)",
			    i, (int)(rnd(g) % (uint32_t)ncustomers), amount, statuses[rnd(g) % 4], ts);
		}
		add(g);
	}
}

static void patients(gen *g, const char *cat, int n)
{
	for (int lo = 0; lo < n && g->rc == CLXS_OK; lo += 250) {
		SQL("INSERT INTO %Q VALUES ", cat, "bronze", "patients");
		for (int i = lo; i < n && i < lo + 250; i++) {
			char name[64], ssn[16];
			snprintf(name, sizeof(name), "%s %s", first[rnd(g) % 12], last[rnd(g) % 12]);
			snprintf(ssn, sizeof(ssn), "%03u-%02u-%04u", rnd(g) % 900 + 100, rnd(g) % 90 + 10, rnd(g) % 9000 + 1000);
			SQL(i > lo ? ", (%d, %L, %L, %L, %L)" : "(%d, %L, %L, %L, %L)", i, name, ssn,
			    diagnoses[rnd(g) % 5], regions[rnd(g) % 5]);
		}
		add(g);
	}
}

json_object *clxs_demo_statements(const char *cat, int scale, clxs_error *err)
{
	if (scale < 1 || scale > 1000) {
		clxs_fail(err, CLXS_EVALIDATION, "scale_factor", "scale must be between 1 and 1000");
		return NULL;
	}
	gen G = {json_object_new_array(), {0}, err, CLXS_OK, 42}, *g = &G;
	clxs_buf_init(&g->b);
	int ncust = 200 * scale, nord = 1000 * scale, npat = 100 * scale;

	SQL("CREATE CATALOG IF NOT EXISTS %I COMMENT %L", cat, "Clone-Xs demo catalog: retail and healthcare");
	add(g);
	static const char *const layers[][2] = {{"bronze", "Raw data as it lands"},
						{"silver", "Cleaned data and shared functions"},
						{"gold", "Business aggregates"}};
	for (int i = 0; i < 3; i++) {
		SQL("CREATE SCHEMA IF NOT EXISTS %Q COMMENT %L", cat, layers[i][0], NULL, layers[i][1]);
		add(g);
	}
	SQL("CREATE TABLE IF NOT EXISTS %Q (id BIGINT NOT NULL COMMENT %L, name STRING COMMENT %L, "
	    "email STRING COMMENT %L, region STRING, created DATE, "
	    "CONSTRAINT %I PRIMARY KEY (id)) COMMENT %L TBLPROPERTIES (%L = %L, %L = %L)",
	    cat, "bronze", "customers", "Customer id", "Full name", "Contact e-mail (PII)", "customers_pk",
	    "Retail customers", "clxs.demo", "true", "quality", "bronze");
	add(g);
	SQL("CREATE TABLE IF NOT EXISTS %Q (id BIGINT NOT NULL, customer_id BIGINT, amount DECIMAL(10,2), "
	    "status STRING, ordered_at TIMESTAMP, CONSTRAINT %I PRIMARY KEY (id), "
	    "CONSTRAINT %I FOREIGN KEY (customer_id) REFERENCES %Q (id), "
	    "CONSTRAINT %I CHECK (amount >= 0)) COMMENT %L TBLPROPERTIES (%L = %L)",
	    cat, "bronze", "orders", "orders_pk", "orders_customer_fk", cat, "bronze", "customers",
	    "amount_non_negative", "Retail orders", "clxs.demo", "true");
	add(g);
	SQL("CREATE TABLE IF NOT EXISTS %Q (id BIGINT NOT NULL, name STRING, ssn STRING COMMENT %L, "
	    "diagnosis STRING, region STRING) COMMENT %L TBLPROPERTIES (%L = %L)",
	    cat, "bronze", "patients", "Social security number (PII)", "Healthcare patients", "clxs.demo", "true");
	add(g);

	/* Several versions of history: two batches, an update, a delete. */
	customers(g, cat, 0, ncust);
	orders(g, cat, 0, nord / 2, ncust);
	orders(g, cat, nord / 2, nord, ncust);
	SQL("UPDATE %Q SET status = %L WHERE status = %L AND id %% 7 = 0", cat, "bronze", "orders", "SHIPPED", "PAID");
	add(g);
	SQL("DELETE FROM %Q WHERE status = %L AND id %% 11 = 0", cat, "bronze", "orders", "CANCELLED");
	add(g);
	patients(g, cat, npat);

	SQL("CREATE OR REPLACE FUNCTION %Q(email STRING) RETURNS STRING COMMENT %L "
	    "RETURN CONCAT(SUBSTR(email, 1, 2), %L)", cat, "silver", "mask_email",
	    "Masks an e-mail address", "***");
	add(g);
	SQL("CREATE OR REPLACE FUNCTION %Q(region STRING) RETURNS BOOLEAN COMMENT %L "
	    "RETURN region <> %L", cat, "silver", "region_filter", "Hides restricted regions", "RESTRICTED");
	add(g);
	SQL("ALTER TABLE %Q ALTER COLUMN email SET MASK %Q", cat, "bronze", "customers", cat, "silver", "mask_email");
	add(g);
	SQL("ALTER TABLE %Q SET ROW FILTER %Q ON (region)", cat, "bronze", "patients", cat, "silver", "region_filter");
	add(g);

	SQL("CREATE OR REPLACE VIEW %Q COMMENT %L AS SELECT id, customer_id, amount, status FROM %Q "
	    "WHERE status <> %L", cat, "silver", "orders_clean", "Orders without cancellations", cat, "bronze",
	    "orders", "CANCELLED");
	add(g);
	SQL("CREATE OR REPLACE VIEW %Q COMMENT %L AS SELECT c.region, COUNT(*) AS orders, SUM(o.amount) AS revenue "
	    "FROM %Q o JOIN %Q c ON o.customer_id = c.id GROUP BY c.region", cat, "gold", "revenue_by_region",
	    "Revenue per region", cat, "silver", "orders_clean", cat, "bronze", "customers");
	add(g);
	SQL("CREATE VOLUME IF NOT EXISTS %Q COMMENT %L", cat, "bronze", "landing", "Raw files as they arrive");
	add(g);

	SQL("ALTER CATALOG %I SET TAGS (%L = %L)", cat, "env", "demo");
	add(g);
	SQL("ALTER SCHEMA %Q SET TAGS (%L = %L)", cat, "bronze", NULL, "layer", "bronze");
	add(g);
	SQL("ALTER TABLE %Q SET TAGS (%L = %L)", cat, "bronze", "orders", "domain", "sales");
	add(g);
	SQL("ALTER TABLE %Q ALTER COLUMN email SET TAGS (%L = %L)", cat, "bronze", "customers", "pii", "email");
	add(g);
	SQL("ALTER VOLUME %Q SET TAGS (%L = %L)", cat, "bronze", "landing", "source", "sftp");
	add(g);
	SQL("GRANT USE CATALOG ON CATALOG %I TO %I", cat, "analysts");
	add(g);
	SQL("GRANT USE SCHEMA, SELECT ON SCHEMA %Q TO %I", cat, "gold", NULL, "analysts");
	add(g);
	SQL("GRANT SELECT, MODIFY ON TABLE %Q TO %I", cat, "bronze", "orders", "etl");
	add(g);
	SQL("ALTER TABLE %Q OWNER TO %I", cat, "bronze", "patients", "clinical-admins");
	add(g);

	clxs_buf_free(&g->b);
	if (g->rc != CLXS_OK) {
		json_object_put(g->out);
		return NULL;
	}
	return g->out;
}

json_object *clxs_demo_cleanup_statements(const char *cat, clxs_error *err)
{
	clxs_buf b;
	clxs_buf_init(&b);
	if (clxs_sql_appendf(&b, err, "DROP CATALOG IF EXISTS %I CASCADE", cat) != CLXS_OK) {
		clxs_buf_free(&b);
		return NULL;
	}
	json_object *out = json_object_new_array();
	json_object_array_add(out, json_object_new_string(clxs_buf_str(&b)));
	clxs_buf_free(&b);
	return out;
}
