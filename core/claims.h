/* claims.h — check the copy's factual claims against the workspace's data.
 *
 * Prices ($49, ¥199, 199元), discounts (30% off, save 30%, 8折 = 20% off,
 * 八折, 半价), dates (2026-12-31, 12月31日, Dec 31) and product names found in
 * the copy are compared with the bound product row and with the products
 * table. A claim the data does not back is named with its position: "30% off"
 * when discount_pct is 20, a price that is neither the price nor the sale
 * price, a date past the offer's end or one that does not exist (Feb 30), a
 * brand product name the catalogue lacks.
 *
 * Column names are matched loosely: id; name_en / name / title; name_zh;
 * price; list_price (then price is the sale price); discount_pct / discount; an end date in offer_ends / ends_at /
 * valid_until / sale_ends / end_date.
 */
#ifndef CL_CLAIMS_H
#define CL_CLAIMS_H

#include <cjson/cJSON.h>
#include "core/util.h"
#include "core/workspace.h"

struct claims_product {
	long long id;
	char  *name_en, *name_zh;    /* may be NULL; name_en lower-cased */
	double price;                /* < 0 when unknown */
	double list_price;           /* the price before discount when the data has it, else < 0
	                                (then price is the list price and the sale price is derived) */
	double discount_pct;         /* < 0 when unknown */
	char  *ends;                 /* ISO date or NULL */
};

struct claims_catalog {
	struct claims_product *v;
	size_t n;
	char *brand;                 /* brand name, lower-cased, or NULL */
};

/* Read a product from a JSON row object (the bound row); returns 0 and fills
 * *p (free with claims_product_clear), -1 when it has neither name nor price. */
int claims_product_from_json(const cJSON *row, struct claims_product *p);
void claims_product_clear(struct claims_product *p);

/* Load the products table (NULL = "products"); 0 with *out = NULL when the
 * table does not exist. *out freed with claims_catalog_free. */
int claims_catalog_load(struct workspace *ws, const char *table, struct claims_catalog **out,
                        struct cl_err *err);
/* Build from a JSON array of row objects; *out freed with claims_catalog_free. */
struct claims_catalog *claims_catalog_from_json(const cJSON *rows);
/* Set the brand name used to spot product names the catalogue lacks (copied). */
void claims_catalog_set_brand(struct claims_catalog *cat, const char *brand);
void claims_catalog_free(struct claims_catalog *cat);

/* Check text against product (may be NULL) and cat (may be NULL). Returns
 * the number of unbacked claims; *detail (new object, caller frees) lists
 * every claim found: {"claims": [{"kind", "quote", "pos", "claimed",
 * "expected", "backed", "why"}], ...}. */
int claims_check(const char *text, const struct claims_product *product,
                 const struct claims_catalog *cat, cJSON **detail);

#endif
