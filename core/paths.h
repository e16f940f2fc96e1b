/* paths.h — where copylab finds its bundled data (sample-data/, plugins/). */
#ifndef CL_PATHS_H
#define CL_PATHS_H

/* Path of a bundled file or folder, e.g. cl_data_path("sample-data/phrasebook.json").
 * Looks in $COPYLAB_HOME, then beside the binary and its parent folders (so a
 * build in build/ finds the source tree), then the current folder.
 * Returns a new string (caller frees) or NULL when it exists nowhere. */
char *cl_data_path(const char *rel);

#endif
