/* rowjson.c — a statement's current row as a cJSON object. */
#include "core/rowjson.h"

cJSON *row_json_object(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject();
	int ncol = sqlite3_column_count(st);
	for (int i = 0; i < ncol; i++) {
		const char *name = sqlite3_column_name(st, i);
		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
		case SQLITE_FLOAT:
			cJSON_AddNumberToObject(o, name, sqlite3_column_double(st, i));
			break;
		case SQLITE_NULL:
			cJSON_AddNullToObject(o, name);
			break;
		default:
			cJSON_AddStringToObject(o, name, (const char *)sqlite3_column_text(st, i));
		}
	}
	return o;
}
