/* test_x11_type.c — typing through the x11 driver into a real terminal: xterm runs
 * `cat > FILE`, the driver types every printable ASCII character, UTF-8 the keymap lacks
 * (more distinct characters than there are spare keycodes), tabs and newlines, and key
 * combos whose effect shows in the file (ctrl+u kills the line, BackSpace erases, ctrl+d
 * ends the input). The file must hold exactly what was meant. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "xvfb.h"
#include "magi/env.h"
#include "env/env_internal.h"

static struct magi_env *env;
static char dir[] = "/tmp/magi-x11-type-XXXXXX";
static char file[128];

static void remove_files(void)
{
	if (file[0])
		unlink(file);
	rmdir(dir);
}

static void type(const char *text)
{
	struct magi_error err;
	struct magi_action a = {.kind = MAGI_ACT_TYPE, .text = (char *)text};
	magi_status s = magi_env_act(env, &a, &err);
	CHECK_MSG(s == MAGI_OK, "type: %s", magi_error_text(&err));
}

static void key(const char *combo)
{
	struct magi_error err;
	struct magi_action a = {.kind = MAGI_ACT_KEY, .text = (char *)combo};
	magi_status s = magi_env_act(env, &a, &err);
	CHECK_MSG(s == MAGI_OK, "key %s: %s", combo, magi_error_text(&err));
}

int main(void)
{
	char name[16];
	int rc = xvfb_start("1280x720x24", name);
	if (rc == 77)
		SKIP("Xvfb is not installed");
	REQUIRE(rc == 0);
	if (!xvfb_have("xterm"))
		SKIP("xterm is not installed");
	REQUIRE(mkdtemp(dir));
	atexit(remove_files);
	char cmd[200];
	snprintf(file, sizeof file, "%s/typed.txt", dir);
	snprintf(cmd, sizeof cmd, "exec cat > '%s'", file);
	setenv("LC_ALL", "C.UTF-8", 1);
	char *argv[] = {"xterm", "-u8", "-geometry", "100x20+0+0", "-title", "typing", "-e", "sh", "-c",
			cmd, NULL};
	pid_t pid = xvfb_spawn(name, argv);
	Display *d = XOpenDisplay(name);
	REQUIRE(d);
	Window w = xvfb_find_window(d, "typing", 10000);
	REQUIRE(w != None);
	XWindowAttributes wa;
	REQUIRE(XGetWindowAttributes(d, w, &wa));
	struct magi_error err;
	REQUIRE(magi__env_x11_open(name, &env, &err) == MAGI_OK);

	/* Without a window manager the keyboard follows the pointer: "type" at a point
	 * clicks there first, which puts the pointer into the terminal. */
	char ascii[96];
	for (int c = 0x20; c < 0x7f; c++)
		ascii[c - 0x20] = (char)c;
	ascii[95] = '\0';
	struct magi_action a = {.kind = MAGI_ACT_TYPE, .has_point = true, .x = wa.x + wa.width / 2.0,
				.y = wa.y + wa.height / 2.0, .text = ascii};
	CHECK(magi_env_act(env, &a, &err) == MAGI_OK);
	type("\n");
	const char *utf8 = "\xc3\xa9\xe2\x82\xac\xc3\xbc\xc3\x9f \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80\n";
	type(utf8);
	/* 24 Greek and 12 Cyrillic letters: more than Xvfb's 19 spare keycodes */
	const char *many = "\xce\xb1\xce\xb2\xce\xb3\xce\xb4\xce\xb5\xce\xb6\xce\xb7\xce\xb8\xce\xb9\xce\xba"
			   "\xce\xbb\xce\xbc\xce\xbd\xce\xbe\xce\xbf\xcf\x80\xcf\x81\xcf\x83\xcf\x84\xcf\x85"
			   "\xcf\x86\xcf\x87\xcf\x88\xcf\x89\xd0\xb0\xd0\xb1\xd0\xb2\xd0\xb3\xd0\xb4\xd0\xb5"
			   "\xd0\xb6\xd0\xb7\xd0\xb8\xd0\xb9\xd0\xba\xd0\xbb\n";
	type(many);
	type("garbage that ctrl+u kills");
	key("ctrl+u");
	type("kept\n");
	type("abc");
	key("BackSpace");
	type("d");
	key("Return");
	type("\tTab\r\n");
	key("ctrl+d");
	int status = xvfb_wait(pid, 10000);
	CHECK_MSG(status == 0, "xterm exited with %d", status);

	struct magi_buf got, want;
	magi_buf_init(&got, 0);
	magi_buf_init(&want, 0);
	REQUIRE(magi_file_read(file, &got, &err) == MAGI_OK);
	magi_buf_printf(&want, "%s\n%s%skept\nabd\n\tTab\n", ascii, utf8, many);
	CHECK_STR(got.data, want.data);
	if (strcmp(got.data, want.data) != 0)
		for (size_t i = 0; i < got.len && i < want.len; i++)
			if (got.data[i] != want.data[i]) {
				fprintf(stderr, "first difference at byte %zu: got 0x%02x, want 0x%02x\n",
					i, (unsigned char)got.data[i], (unsigned char)want.data[i]);
				break;
			}
	magi_buf_release(&got);
	magi_buf_release(&want);
	magi_env_close(env);
	XCloseDisplay(d);
	return check_done();
}
