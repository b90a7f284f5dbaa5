/* chat_ahead.h — a screenshot's JPEG made ahead of the request that sends it (chat.c). */
#ifndef MAGI_MODEL_CHAT_AHEAD_H
#define MAGI_MODEL_CHAT_AHEAD_H
#include "magi/model.h"

/* Encodes img under pol now (resize and JPEG, as a request would) and keeps the result:
 * the first request body that sends this image under this policy takes it instead of
 * encoding it again. One image is kept; a new one replaces it. For a core otherwise idle
 * (the first screen's engines loading): the request leaves ~3-4 ms sooner. */
void magi__chat_prepare_ahead(const struct magi_image *img, const struct magi_image_policy *pol);
/* Forgets the image made ahead (call before that image may be freed: its address could come
 * back with other pixels). */
void magi__chat_ahead_drop(void);

#endif
