/* rowjson.h — a result row of a prepared statement as a cJSON object, the
 * shape claims (the product catalogue) and eval (a row's bound values) read:
 * INTEGER and REAL columns as numbers, NULL as null, TEXT and BLOB as text.
 */
#ifndef CL_ROWJSON_H
#define CL_ROWJSON_H

#include <cjson/cJSON.h>
#include <sqlite3.h>

/* The current row of st (after sqlite3_step returned SQLITE_ROW), keyed by
 * column name; caller cJSON_Delete's it. */
cJSON *row_json_object(sqlite3_stmt *st);

#endif
