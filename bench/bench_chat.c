/* bench_chat.c — magi's client-side cost of one chat call with a 1280x720 screenshot:
 * resize to the model's policy + JPEG + base64 + request + reply parse, against a local HTTP
 * responder that answers at once (so the server's own time is ~0 and what remains is
 * magi's work plus the loopback transfer). Prints medians over N calls.
 *   bench_chat [N]      (default 50)
 * Target (issue 2): <= 15 ms median per call. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include "magi/magi.h"

static int listen_fd;

static const char reply[] = "{\"id\":\"b\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
			    "{\"role\":\"assistant\",\"content\":\"### Action ###\\n{\\\"action\\\":\\\"click\\\",\\\"x\\\":10,\\\"y\\\":20}\"},"
			    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":20}}";

/* A minimal HTTP/1.1 responder: reads headers and Content-Length bytes, answers `reply`. */
static void *serve(void *arg)
{
	(void)arg;
	static char buf[1 << 16];
	for (;;) {
		int c = accept(listen_fd, NULL, NULL);
		if (c < 0)
			return NULL;
		for (;;) {
			size_t have = 0;
			long clen = -1;
			char *hend = NULL;
			while (!hend) {
				ssize_t r = read(c, buf + have, sizeof buf - 1 - have);
				if (r <= 0)
					goto next;
				have += (size_t)r;
				buf[have] = 0;
				hend = strstr(buf, "\r\n\r\n");
			}
			char *cl = strcasestr(buf, "content-length:");
			clen = cl ? strtol(cl + 15, NULL, 10) : 0;
			long body = (long)(have - (size_t)(hend + 4 - buf));
			while (body < clen) {
				ssize_t r = read(c, buf, sizeof buf);
				if (r <= 0)
					goto next;
				body += r;
			}
			char head[256];
			int hl = snprintf(head, sizeof head,
					  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
					  sizeof reply - 1);
			if (write(c, head, (size_t)hl) < 0 || write(c, reply, sizeof reply - 1) < 0)
				goto next;
		}
	next:
		close(c);
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? (int)strtol(argv[1], NULL, 10) : 50;
	if (n < 1 || n > 10000)
		n = 50;
	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t al = sizeof a;
	if (bind(listen_fd, (struct sockaddr *)&a, sizeof a) || listen(listen_fd, 8) ||
	    getsockname(listen_fd, (struct sockaddr *)&a, &al)) {
		perror("bench_chat: listen");
		return 1;
	}
	pthread_t th;
	pthread_create(&th, NULL, serve, NULL);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", ntohs(a.sin_port));
	struct magi_model_params p = magi_model_params_default();
	p.base_url = url;
	struct magi_client *c;
	struct magi_error err;
	if (magi_client_new(&p, &c, &err)) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	/* a screenshot-like 1280x720 image: UI panels, text-like strokes */
	struct magi_image *img;
	magi_image_new(1280, 720, &img);
	magi_image_fill_rect(img, 0, 0, 1280, 720, 0xf0f0f0);
	magi_image_fill_rect(img, 0, 0, 1280, 40, 0x2b579a);
	for (int i = 0; i < 30; i++) {
		magi_image_draw_text(img, 40 + (i % 3) * 400, 80 + (i / 3) * 60, "Settings  Display  Network 42", 2,
				     0x202020, 0, false);
		magi_image_draw_rect(img, 30 + (i % 3) * 400, 70 + (i / 3) * 60, 380, 40, 1, 0x999999);
	}
	double *tot = calloc((size_t)n, sizeof *tot), *prep = calloc((size_t)n, sizeof *prep);
	for (int i = -3; i < n; i++) { /* 3 warm-up calls */
		struct magi_chat *chat;
		magi_chat_new(&chat);
		magi_chat_add_image(chat, "user", img);
		magi_chat_add_text(chat, "user", "What should I click to open the network settings?");
		struct magi_chat_result r;
		double t0 = magi_now_ms();
		if (magi_client_chat(c, chat, &r)) {
			fprintf(stderr, "call failed: %s\n", r.error);
			return 1;
		}
		double t = magi_now_ms() - t0;
		if (i >= 0) {
			tot[i] = t;
			prep[i] = r.prepare_ms;
		}
		magi_chat_result_release(&r);
		magi_chat_free(chat);
	}
	qsort(tot, (size_t)n, sizeof *tot, cmp);
	qsort(prep, (size_t)n, sizeof *prep, cmp);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("chat call with one 1280x720 screenshot (sent at the QWEN default fit), %d calls:\n", n);
	printf("  whole call, median      %7.2f ms  (p90 %.2f)   target <= 15 ms\n", tot[n / 2], tot[n * 9 / 10]);
	printf("  resize+JPEG+base64+body %7.2f ms  (median)\n", prep[n / 2]);
	printf("  peak RSS of this process %6.1f MB             target <= 20 MB\n", ru.ru_maxrss / 1024.0);
	free(tot);
	free(prep);
	magi_image_free(img);
	magi_client_free(c);
	return 0;
}
