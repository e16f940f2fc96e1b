/* paths.c — find bundled data whether copylab runs from the tree or a build dir. */
#include "core/paths.h"
#include "core/util.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *try_path(const char *dir, const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);
	if (access(p, F_OK) == 0)
		return p;
	free(p);
	return NULL;
}

char *cl_data_path(const char *rel)
{
	const char *home = getenv("COPYLAB_HOME");
	char exe[PATH_MAX];
	char *p;
	ssize_t n;

	if (home && *home && (p = try_path(home, rel)))
		return p;
	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		/* Walk up from the binary's folder: build/asan/copylab -> build -> tree. */
		for (int depth = 0; depth < 4; depth++) {
			char *slash = strrchr(exe, '/');
			if (!slash || slash == exe)
				break;
			*slash = '\0';
			if ((p = try_path(exe, rel)))
				return p;
		}
	}
	return try_path(".", rel);
}
