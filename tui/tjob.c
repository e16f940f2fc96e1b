/* tjob.c — worker-thread jobs with progress and cancel (see tjob.h). */
#include "tui/tjob.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tui/draw.h"

struct tjob {
	struct app     *app;
	char           *label;
	char           *db_path;
	tjob_run_fn     run;
	tjob_finish_fn  finish;
	void           *arg;
	pthread_t       th;
	int             pipe[2];
	atomic_int      cancel, finished;
	_Atomic uint64_t done, total, rows;
	_Atomic uint64_t last_wake_ms;
	double          start_ms;
	int             rc;
	struct cl_err   err;
};

static void wake(struct tjob *j)
{
	char c = 1;
	ssize_t r = write(j->pipe[1], &c, 1);
	(void)r;
}

int tjob_progress(void *ctx, uint64_t done, uint64_t total, uint64_t rows)
{
	struct tjob *j = ctx;
	uint64_t now = (uint64_t)cl_now_ms();
	atomic_store(&j->done, done);
	atomic_store(&j->total, total);
	atomic_store(&j->rows, rows);
	/* Wake the app at most ten times a second to repaint the progress. */
	if (now - atomic_load(&j->last_wake_ms) >= 100) {
		atomic_store(&j->last_wake_ms, now);
		wake(j);
	}
	return atomic_load(&j->cancel) ? 1 : 0;
}

static void *worker(void *arg)
{
	struct tjob *j = arg;
	struct workspace *ws = NULL;
	if (workspace_open(j->db_path, 0, &ws, &j->err) == 0) {
		j->rc = j->run(j, ws, j->arg, &j->err);
		workspace_close(ws);
	} else {
		j->rc = -1;
	}
	if (j->rc && atomic_load(&j->cancel) && j->err.code != CL_ECANCEL)
		cl_err_set(&j->err, CL_ECANCEL, "%s: cancelled", j->label);
	atomic_store(&j->finished, 1);
	wake(j);
	return NULL;
}

static int job_poll(void *ctx, struct pollfd *fds, int nfds, int timeout_ms)
{
	struct tjob *j = ctx;
	struct pollfd all[16];
	int n = nfds < 15 ? nfds : 15;
	char buf[64];

	memcpy(all, fds, (size_t)n * sizeof *all);
	all[n].fd = j->pipe[0];
	all[n].events = POLLIN;
	all[n].revents = 0;
	if (poll(all, (nfds_t)(n + 1), timeout_ms) > 0) {
		for (int i = 0; i < n; i++)
			fds[i].revents = all[i].revents;
		if (all[n].revents)
			while (read(j->pipe[0], buf, sizeof buf) > 0)
				;
	}
	if (!atomic_load(&j->finished))
		return 1;
	pthread_join(j->th, NULL);
	return 0;
}

static void job_status(void *ctx, char *buf, size_t len)
{
	struct tjob *j = ctx;
	uint64_t d = atomic_load(&j->done), t = atomic_load(&j->total), r = atomic_load(&j->rows);
	double secs = (cl_now_ms() - j->start_ms) / 1000.0;
	char rows[32], rate[32];
	tui_thousands(rows, sizeof rows, (long long)r);
	tui_thousands(rate, sizeof rate, secs > 0.05 ? (long long)(r / secs) : 0);
	if (atomic_load(&j->cancel))
		snprintf(buf, len, "%s: cancelling…", j->label);
	else if (t)
		snprintf(buf, len, "%s %d%% · %s rows · %s rows/s · Esc cancels", j->label,
		         (int)(100.0 * (double)d / (double)t), rows, rate);
	else
		snprintf(buf, len, "%s · %s rows · %s rows/s · Esc cancels", j->label, rows, rate);
}

static void job_cancel(void *ctx)
{
	struct tjob *j = ctx;
	atomic_store(&j->cancel, 1);
}

static void job_done(void *ctx)
{
	struct tjob *j = ctx;
	j->finish(j->app, j->arg, j->rc, &j->err);
	close(j->pipe[0]);
	close(j->pipe[1]);
	free(j->label);
	free(j->db_path);
	free(j);
}

static const struct app_job_ops tjob_ops = {
	.name = "work", .poll = job_poll, .status = job_status,
	.cancel = job_cancel, .done = job_done,
};

static const struct app_job_ops tjob_quiet_ops = {
	.name = "work", .quiet = 1, .poll = job_poll, .status = job_status,
	.cancel = job_cancel, .done = job_done,
};

static void start(struct app *a, const struct app_job_ops *ops, const char *label, tjob_run_fn run,
                  tjob_finish_fn finish, void *arg);

void tjob_start(struct app *a, const char *label, tjob_run_fn run, tjob_finish_fn finish,
                void *arg)
{
	start(a, &tjob_ops, label, run, finish, arg);
}

void tjob_start_quiet(struct app *a, const char *label, tjob_run_fn run, tjob_finish_fn finish,
                      void *arg)
{
	start(a, &tjob_quiet_ops, label, run, finish, arg);
}

static void start(struct app *a, const struct app_job_ops *ops, const char *label, tjob_run_fn run,
                  tjob_finish_fn finish, void *arg)
{
	struct tjob *j = xcalloc(1, sizeof *j);
	j->app = a;
	j->label = xstrdup(label);
	j->db_path = xstrdup(app_workspace_path(a));
	j->run = run;
	j->finish = finish;
	j->arg = arg;
	j->start_ms = cl_now_ms();
	if (pipe(j->pipe) != 0) {
		cl_err_set(&j->err, CL_EIO, "%s: cannot make a pipe: %s", label, strerror(errno));
		j->rc = -1;
		finish(a, arg, -1, &j->err);
		free(j->label);
		free(j->db_path);
		free(j);
		return;
	}
	fcntl(j->pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(j->pipe[1], F_SETFL, O_NONBLOCK);
	fcntl(j->pipe[0], F_SETFD, FD_CLOEXEC);
	fcntl(j->pipe[1], F_SETFD, FD_CLOEXEC);
	if (pthread_create(&j->th, NULL, worker, j) != 0) {
		cl_err_set(&j->err, CL_EIO, "%s: cannot start a thread", label);
		finish(a, arg, -1, &j->err);
		close(j->pipe[0]);
		close(j->pipe[1]);
		free(j->label);
		free(j->db_path);
		free(j);
		return;
	}
	app_job_add(a, ops, j);
}
