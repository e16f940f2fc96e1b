/* schema.h — the ordered list of schema migrations (see schema.c). */
#ifndef CL_SCHEMA_H
#define CL_SCHEMA_H
extern const char *const schema_migrations[];
extern const int schema_migration_count;
#endif
