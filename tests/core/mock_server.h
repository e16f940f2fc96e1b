/* mock_server.h — start tests/mock_openai.py or mock_anthropic.py as a
 * child process on a free loopback port, ask it for its stats, stop it.
 * Header-only, for the core tests that talk HTTP. */
#ifndef TEST_MOCK_SERVER_H
#define TEST_MOCK_SERVER_H

#include <curl/curl.h>
#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"

struct mock {
	pid_t pid;
	int   port;
	char  base[64];     /* http://127.0.0.1:PORT */
};

/* Start the named mock script (e.g. "mock_openai.py"); returns 0 or -1. */
static inline int mock_start(struct mock *m, const char *script)
{
	const char *top = getenv("COPYLAB_TOP");
	char *path = xasprintf("%s/tests/%s", top && *top ? top : ".", script);
	int fd[2];
	char buf[32];
	ssize_t n, got = 0;
	memset(m, 0, sizeof *m);
	if (pipe(fd)) {
		free(path);
		return -1;
	}
	m->pid = fork();
	if (m->pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp("python3", "python3", path, "--port", "0", (char *)NULL);
		_exit(127);
	}
	free(path);
	close(fd[1]);
	while (got < (ssize_t)sizeof buf - 1 && (n = read(fd[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0) {
		got += n;
		if (memchr(buf, '\n', (size_t)got))
			break;
	}
	close(fd[0]);
	buf[got > 0 ? got : 0] = '\0';
	m->port = atoi(buf);
	if (m->port <= 0) {
		kill(m->pid, SIGKILL);
		waitpid(m->pid, NULL, 0);
		return -1;
	}
	snprintf(m->base, sizeof m->base, "http://127.0.0.1:%d", m->port);
	return 0;
}

static inline void mock_stop(struct mock *m)
{
	if (m->pid > 0) {
		kill(m->pid, SIGTERM);
		waitpid(m->pid, NULL, 0);
		m->pid = 0;
	}
}

static inline size_t mock_sink(char *p, size_t sz, size_t nm, void *ud)
{
	sbuf_add(ud, p, sz * nm);
	return sz * nm;
}

/* GET or POST path on the mock; returns the parsed JSON reply (caller deletes) or NULL. */
static inline cJSON *mock_call(const struct mock *m, const char *path, int post)
{
	struct sbuf sb = SBUF_INIT;
	char *url = xasprintf("%s%s", m->base, path);
	CURL *e = curl_easy_init();
	cJSON *j = NULL;
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, mock_sink);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &sb);
	if (post)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, "{}");
	if (curl_easy_perform(e) == CURLE_OK)
		j = cJSON_Parse(sbuf_str(&sb));
	curl_easy_cleanup(e);
	free(url);
	sbuf_free(&sb);
	return j;
}

/* Highest concurrency the mock has seen since the last reset. */
static inline int mock_max_concurrency(const struct mock *m)
{
	cJSON *j = mock_call(m, "/_stats", 0);
	int v = j ? cJSON_GetObjectItem(j, "max_concurrency")->valueint : -1;
	cJSON_Delete(j);
	return v;
}

static inline void mock_reset(const struct mock *m)
{
	cJSON_Delete(mock_call(m, "/_reset", 1));
}

#endif
