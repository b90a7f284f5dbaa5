/* ocr_job.c — a reading on a thread of its own: magi_ocr_run started now, collected later.
 * A run's first screen is read this way while a local model already thinks about the
 * screenshot (issue 15: the first request no longer waits for the full-screen OCR). */
#include <pthread.h>
#include <stdlib.h>
#include "magi/vision.h"
#include "vision/ocr_internal.h"
#include "core/common.h"

struct magi_ocr_job {
	const struct magi_image *img;
	char *lang;
	float min_conf;
	pthread_t th;
	struct magi_ocr *out;
	magi_status status;
	struct magi_error err;
};

static void *job_main(void *arg)
{
	struct magi_ocr_job *j = arg;
	magi__ocr_patient(); /* a hold on engine loads (the first request leaving) is waited out */
	magi_error_clear(&j->err);
	j->status = magi_ocr_run(j->img, j->lang, j->min_conf, &j->out, &j->err);
	return NULL;
}

magi_status magi_ocr_start(const struct magi_image *img, const char *lang, float min_conf,
			   struct magi_ocr_job **out, struct magi_error *err)
{
	if (!out)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: no job given");
	*out = NULL;
	if (!img || !img->px)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: no image or an empty one");
	struct magi_ocr_job *j = calloc(1, sizeof *j);
	if (!j || (lang && !(j->lang = magi__strdup(lang)))) {
		free(j);
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: out of memory");
	}
	j->img = img;
	j->min_conf = min_conf;
	if (pthread_create(&j->th, NULL, job_main, j) != 0) {
		free(j->lang);
		free(j);
		return magi_error_set(err, MAGI_ERR_NOMEM, "OCR: cannot start a thread to read on");
	}
	*out = j;
	return MAGI_OK;
}

magi_status magi_ocr_join(struct magi_ocr_job *job, struct magi_ocr **out, double *waited_ms,
			  struct magi_error *err)
{
	if (waited_ms)
		*waited_ms = 0;
	if (out)
		*out = NULL;
	if (!job)
		return magi_error_set(err, MAGI_ERR_INVALID, "OCR: no job to join");
	double t0 = magi_now_ms();
	pthread_join(job->th, NULL);
	if (waited_ms)
		*waited_ms = magi_now_ms() - t0;
	magi_status s = job->status;
	if (s && err)
		*err = job->err;
	if (out)
		*out = job->out;
	else
		magi_ocr_free(job->out);
	free(job->lang);
	free(job);
	return s;
}
