/* test_chat_ahead.c — a screenshot's JPEG made ahead of its request (chat_ahead.h): the
 * request body that sends the image under the same policy takes it (the bytes are those
 * the request would have made), once; another policy, another image, or a dropped one
 * is encoded as before. The pixels are changed behind the JPEG made ahead to tell which
 * encoding a body carries. */
#include <stdint.h>
#include <string.h>
#include "check.h"
#include "magi/magi.h"
#include "model/chat_ahead.h"
#include "model/model_internal.h"

static void paint(struct magi_image *img, int seed)
{
	for (uint32_t y = 0; y < img->h; y++)
		for (uint32_t x = 0; x < img->w; x++) {
			uint8_t *p = img->px + (size_t)y * img->stride + 3 * (size_t)x;
			p[0] = (uint8_t)(x * 3 + seed);
			p[1] = (uint8_t)(y * 5 + seed * 7);
			p[2] = (uint8_t)((x ^ y) + seed * 13);
		}
}

/* The body of a request sending "look" and img under p (owned; *len bytes). */
static char *body_of(const struct magi_image *img, const struct magi_model_params *p, size_t *len)
{
	struct magi_chat *chat = NULL;
	if (magi_chat_new(&chat))
		return NULL;
	magi_chat_add_text(chat, "user", "look");
	magi_chat_add_image(chat, "user", img);
	struct magi_buf body;
	magi_buf_init(&body, 64u << 20);
	struct magi_chat_result res;
	memset(&res, 0, sizeof res);
	struct magi_error err;
	magi_status s = magi__chat_build_body(chat, p, NULL, NULL, &body, &res, &err);
	char *out = NULL;
	if (!s && (out = malloc(body.len + 1))) {
		memcpy(out, body.data, body.len);
		out[body.len] = '\0';
		*len = body.len;
	}
	magi_buf_release(&body);
	magi_chat_free(chat);
	return out;
}

static bool same(const char *a, size_t na, const char *b, size_t nb)
{
	return a && b && na == nb && memcmp(a, b, na) == 0;
}

/* Whether the body of a request sending img under p is want (nw bytes). */
static bool body_is(const struct magi_image *img, const struct magi_model_params *p, const char *want, size_t nw)
{
	size_t n = 0;
	char *b = body_of(img, p, &n);
	bool ok = same(b, n, want, nw);
	free(b);
	return ok;
}

int main(void)
{
	struct magi_image *img = NULL;
	REQUIRE(magi_image_new(640, 360, &img) == MAGI_OK);
	struct magi_model_params p = magi_model_params_default();
	size_t n_old, n_new, n_small;

	paint(img, 1);
	char *old = body_of(img, &p, &n_old); /* encoded at the request, as before */
	paint(img, 2);
	char *new = body_of(img, &p, &n_new);
	REQUIRE(old && new);
	CHECK(!same(old, n_old, new, n_new));

	/* made ahead: the body is byte for byte the one the request makes */
	magi__chat_prepare_ahead(img, &p.image);
	CHECK(body_is(img, &p, new, n_new));

	/* taken by that body (the old pixels' JPEG, though the pixels changed since), once */
	paint(img, 1);
	magi__chat_prepare_ahead(img, &p.image);
	paint(img, 2);
	CHECK(body_is(img, &p, old, n_old));
	CHECK(body_is(img, &p, new, n_new));

	/* dropped: not taken */
	paint(img, 1);
	magi__chat_prepare_ahead(img, &p.image);
	magi__chat_ahead_drop();
	paint(img, 2);
	CHECK(body_is(img, &p, new, n_new));

	/* another policy (a smaller pixel budget): encoded for it, the one made ahead kept */
	struct magi_model_params small = p;
	small.image.max_pixels = 320 * 180;
	char *small_new = body_of(img, &small, &n_small);
	paint(img, 1);
	magi__chat_prepare_ahead(img, &p.image);
	paint(img, 2);
	CHECK(body_is(img, &small, small_new, n_small));
	CHECK(n_small < n_old);
	/* another image at another address: not taken either */
	struct magi_image *other = NULL;
	REQUIRE(magi_image_new(640, 360, &other) == MAGI_OK);
	paint(other, 2);
	CHECK(body_is(other, &p, new, n_new));
	/* still there for the image it was made of */
	CHECK(body_is(img, &p, old, n_old));

	magi__chat_ahead_drop();
	magi_image_free(other);
	free(small_new);
	free(old);
	free(new);
	magi_image_free(img);
	return check_done();
}
