/* magi/magi.h — the whole public API of libmagi. */
#ifndef MAGI_H
#define MAGI_H
#include "magi/core.h"
#include "magi/vision.h"
#include "magi/video.h"
#include "magi/env.h"
#include "magi/model.h"
#include "magi/trace.h"
#include "magi/guard.h"
#include "magi/agent.h"
#include "magi/videoagent.h"
#include "magi/recipe.h"
#include "magi/eval.h"
#endif
