/*
 * browser_input.c — the browser's pointer, keyboard and form actions.
 *
 * Points arrive in screenshot (device) pixels and go out as CSS pixels (divided by the
 * device-pixel ratio). A click is mouseMoved, mousePressed, mouseReleased (Input.pdl);
 * text goes in with Input.insertText (Unicode, no per-key events), newlines and tabs as
 * Enter and Tab key presses; key combos ("ctrl+a", "shift+Tab") as keyDown/keyUp with the
 * DOM key, code and Windows virtual key code Chromium expects. select_option and
 * upload_file find their element (by number, or under the point) and work on it through
 * Runtime.callFunctionOn and DOM.setFileInputFiles.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include "env/browser_internal.h"
#include "core/json.h"
#include "core/common.h"

#define BROWSER_DRAG_STEPS 8
#define BROWSER_WHEEL_PX 100.0 /* CSS pixels per wheel click */
#define BROWSER_MAX_TYPE (64 * 1024)
#define BROWSER_MAX_COMBO 8

enum { MOD_ALT = 1, MOD_CTRL = 2, MOD_META = 4, MOD_SHIFT = 8 };

/* ---- keys --------------------------------------------------------------------------- */

/* A key as Chromium wants it: the DOM key and code, the Windows virtual key code, the
 * text it types ("" for none) and, for a modifier, its bit. */
struct bkey {
	char key[16], code[16];
	int vk;
	char text[4];
	int mod;
};

static const struct {
	const char *name, *key, *code;
	int vk;
	const char *text;
	int mod;
} named_keys[] = {
	{"enter", "Enter", "Enter", 13, "\r", 0},       {"return", "Enter", "Enter", 13, "\r", 0},
	{"ret", "Enter", "Enter", 13, "\r", 0},         {"tab", "Tab", "Tab", 9, "", 0},
	{"esc", "Escape", "Escape", 27, "", 0},         {"escape", "Escape", "Escape", 27, "", 0},
	{"backspace", "Backspace", "Backspace", 8, "", 0}, {"bksp", "Backspace", "Backspace", 8, "", 0},
	{"del", "Delete", "Delete", 46, "", 0},         {"delete", "Delete", "Delete", 46, "", 0},
	{"ins", "Insert", "Insert", 45, "", 0},         {"insert", "Insert", "Insert", 45, "", 0},
	{"home", "Home", "Home", 36, "", 0},            {"end", "End", "End", 35, "", 0},
	{"pgup", "PageUp", "PageUp", 33, "", 0},        {"pageup", "PageUp", "PageUp", 33, "", 0},
	{"page_up", "PageUp", "PageUp", 33, "", 0},     {"prior", "PageUp", "PageUp", 33, "", 0},
	{"pgdn", "PageDown", "PageDown", 34, "", 0},    {"pagedown", "PageDown", "PageDown", 34, "", 0},
	{"page_down", "PageDown", "PageDown", 34, "", 0}, {"next", "PageDown", "PageDown", 34, "", 0},
	{"up", "ArrowUp", "ArrowUp", 38, "", 0},        {"arrowup", "ArrowUp", "ArrowUp", 38, "", 0},
	{"down", "ArrowDown", "ArrowDown", 40, "", 0},  {"arrowdown", "ArrowDown", "ArrowDown", 40, "", 0},
	{"left", "ArrowLeft", "ArrowLeft", 37, "", 0},  {"arrowleft", "ArrowLeft", "ArrowLeft", 37, "", 0},
	{"right", "ArrowRight", "ArrowRight", 39, "", 0}, {"arrowright", "ArrowRight", "ArrowRight", 39, "", 0},
	{"space", " ", "Space", 32, " ", 0},            {"spacebar", " ", "Space", 32, " ", 0},
	{"plus", "+", "Equal", 187, "+", 0},            {"minus", "-", "Minus", 189, "-", 0},
	{"ctrl", "Control", "ControlLeft", 17, "", MOD_CTRL}, {"control", "Control", "ControlLeft", 17, "", MOD_CTRL},
	{"ctl", "Control", "ControlLeft", 17, "", MOD_CTRL},  {"shift", "Shift", "ShiftLeft", 16, "", MOD_SHIFT},
	{"alt", "Alt", "AltLeft", 18, "", MOD_ALT},           {"option", "Alt", "AltLeft", 18, "", MOD_ALT},
	{"meta", "Meta", "MetaLeft", 91, "", MOD_META},       {"super", "Meta", "MetaLeft", 91, "", MOD_META},
	{"win", "Meta", "MetaLeft", 91, "", MOD_META},        {"cmd", "Meta", "MetaLeft", 91, "", MOD_META},
};

/* US-layout punctuation: the character, its shifted twin, code and virtual key. */
static const struct {
	char c, shifted;
	const char *code;
	int vk;
} punct[] = {
	{'-', '_', "Minus", 189},        {'=', '+', "Equal", 187},     {',', '<', "Comma", 188},
	{'.', '>', "Period", 190},       {'/', '?', "Slash", 191},     {';', ':', "Semicolon", 186},
	{'\'', '"', "Quote", 222},       {'[', '{', "BracketLeft", 219}, {']', '}', "BracketRight", 221},
	{'\\', '|', "Backslash", 220},   {'`', '~', "Backquote", 192},
};

static void key_set(struct bkey *k, const char *key, const char *code, int vk, const char *text, int mod)
{
	snprintf(k->key, sizeof k->key, "%s", key);
	snprintf(k->code, sizeof k->code, "%s", code);
	k->vk = vk;
	snprintf(k->text, sizeof k->text, "%s", text);
	k->mod = mod;
}

/* One key name (see named_keys, F1..F24, or one printable ASCII character). */
static bool key_lookup(const char *name, struct bkey *k)
{
	for (size_t i = 0; i < MAGI_ARRAY_LEN(named_keys); i++)
		if (!strcasecmp(name, named_keys[i].name)) {
			key_set(k, named_keys[i].key, named_keys[i].code, named_keys[i].vk, named_keys[i].text,
				named_keys[i].mod);
			return true;
		}
	long f;
	if ((name[0] == 'F' || name[0] == 'f') && magi__parse_long(name + 1, 1, 24, &f)) {
		char fk[8];
		snprintf(fk, sizeof fk, "F%ld", f);
		key_set(k, fk, fk, 111 + (int)f, "", 0);
		return true;
	}
	if (strlen(name) != 1 || name[0] < 0x21 || name[0] > 0x7e)
		return false;
	char ch = name[0], code[16];
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')) {
		char up = (char)(ch >= 'a' ? ch - 32 : ch);
		snprintf(code, sizeof code, "Key%c", up);
		key_set(k, name, code, up, name, 0);
		return true;
	}
	if (ch >= '0' && ch <= '9') {
		snprintf(code, sizeof code, "Digit%c", ch);
		key_set(k, name, code, ch, name, 0);
		return true;
	}
	for (size_t i = 0; i < MAGI_ARRAY_LEN(punct); i++)
		if (ch == punct[i].c || ch == punct[i].shifted) {
			key_set(k, name, punct[i].code, punct[i].vk, name, 0);
			return true;
		}
	return false;
}

/* Notes what is held down, for magi__browser_release. */
static void held(struct browser_env *e, int buttons, int mods, double x, double y)
{
	struct bpage *pg = magi__browser_current(e);
	pthread_mutex_lock(&e->held_lock);
	snprintf(e->held_session, sizeof e->held_session, "%s", pg ? pg->session : "");
	if (buttons >= 0) {
		e->held_buttons = buttons;
		e->held_x = x;
		e->held_y = y;
	}
	if (mods >= 0)
		e->held_mods = mods;
	pthread_mutex_unlock(&e->held_lock);
}

static magi_status key_event(struct browser_env *e, const char *type, const struct bkey *k, int mods,
			     struct magi_error *err)
{
	if (k->mod)
		held(e, -1, !strcmp(type, "keyUp") ? mods & ~k->mod : mods | k->mod, 0, 0);
	json_t *p = json_pack("{sssssssisi}", "type", type, "key", k->key, "code", k->code, "windowsVirtualKeyCode",
			      k->vk, "modifiers", mods);
	if (k->text[0] && !strcmp(type, "keyDown"))
		json_object_set_new(p, "text", json_string(k->text));
	return magi__browser_call(e, "Input.dispatchKeyEvent", p, NULL, err);
}

/* Presses a combo: modifiers down in order, the key, then everything up in reverse. */
static magi_status press_combo(struct browser_env *e, const char *combo, struct magi_error *err)
{
	struct bkey keys[BROWSER_MAX_COMBO];
	size_t n = 0;
	const char *p = combo;
	while (*p) {
		/* "ctrl++" ends with the plus key: a '+' right after a separator is a key */
		size_t l = *p == '+' ? 1 : strcspn(p, "+");
		char name[32];
		if (n == BROWSER_MAX_COMBO || l >= sizeof name)
			return magi_error_set(err, MAGI_ERR_INVALID, "key: cannot read the combo \"%s\"", combo);
		memcpy(name, p, l);
		name[l] = '\0';
		char *nm = name;
		while (*nm == ' ')
			nm++;
		for (size_t t = strlen(nm); t && nm[t - 1] == ' ';)
			nm[--t] = '\0';
		if (!key_lookup(nm, &keys[n]))
			return magi_error_set(err, MAGI_ERR_INVALID,
					      "key: unknown key \"%s\" in \"%s\" (try Enter, Tab, Escape, Backspace, ArrowDown, F5, ctrl+a)",
					      nm, combo);
		n++;
		p += l;
		if (*p == '+')
			p++;
	}
	if (!n)
		return magi_error_set(err, MAGI_ERR_INVALID, "key: no key given");
	int mods = 0;
	magi_status s = MAGI_OK;
	size_t down = 0;
	for (; down + 1 < n && !s; down++) {
		mods |= keys[down].mod;
		s = key_event(e, "rawKeyDown", &keys[down], mods, err);
	}
	if (!s) {
		struct bkey k = keys[n - 1];
		/* a shortcut types nothing; shift makes letters capitals */
		if (mods & (MOD_CTRL | MOD_ALT | MOD_META))
			k.text[0] = '\0';
		if ((mods & MOD_SHIFT) && k.text[0] >= 'a' && k.text[0] <= 'z' && !k.text[1]) {
			k.text[0] = (char)(k.text[0] - 32);
			k.key[0] = k.text[0];
		}
		s = key_event(e, k.text[0] ? "keyDown" : "rawKeyDown", &k, mods | k.mod, err);
		if (!s)
			s = key_event(e, "keyUp", &k, mods, err);
	}
	while (down-- > 0) {
		mods &= ~keys[down].mod;
		struct magi_error ignore;
		magi_status s2 = key_event(e, "keyUp", &keys[down], mods, s ? &ignore : err);
		if (!s)
			s = s2;
	}
	return s;
}

static magi_status type_text(struct browser_env *e, const char *text, struct magi_error *err)
{
	size_t n = strlen(text);
	if (n > BROWSER_MAX_TYPE)
		return magi_error_set(err, MAGI_ERR_INVALID, "type: %zu bytes is more than the %d a type action may carry",
				      n, BROWSER_MAX_TYPE);
	magi_status s = MAGI_OK;
	while (*text && !s) {
		size_t l = strcspn(text, "\r\n\t");
		if (l) {
			char *chunk = magi__strndup(text, l);
			if (!chunk)
				return magi_error_set(err, MAGI_ERR_NOMEM, NULL);
			s = magi__browser_call(e, "Input.insertText", json_pack("{ss}", "text", chunk), NULL, err);
			free(chunk);
			text += l;
			continue;
		}
		/* "\r\n" is one Enter */
		s = press_combo(e, *text == '\t' ? "Tab" : "Enter", err);
		text += text[0] == '\r' && text[1] == '\n' ? 2 : 1;
	}
	return s;
}

/* ---- pointer ------------------------------------------------------------------------- */

static magi_status mouse(struct browser_env *e, const char *type, double x, double y, const char *button,
			 int buttons, int count, struct magi_error *err)
{
	if (strcmp(type, "mouseMoved"))
		held(e, buttons, -1, x, y);
	json_t *p = json_pack("{sssfsfsssisi}", "type", type, "x", x, "y", y, "button", button, "buttons", buttons,
			      "clickCount", count);
	return magi__browser_call(e, "Input.dispatchMouseEvent", p, NULL, err);
}

magi_status magi__browser_release(struct browser_env *e, struct magi_error *err)
{
	static const struct { int bit; const char *key, *code; int vk; } mods[] = {
		{MOD_SHIFT, "Shift", "ShiftLeft", 16}, {MOD_CTRL, "Control", "ControlLeft", 17},
		{MOD_ALT, "Alt", "AltLeft", 18},       {MOD_META, "Meta", "MetaLeft", 91},
	};
	pthread_mutex_lock(&e->held_lock);
	char session[sizeof e->held_session];
	snprintf(session, sizeof session, "%s", e->held_session);
	int buttons = e->held_buttons, down = e->held_mods;
	double x = e->held_x, y = e->held_y;
	e->held_buttons = e->held_mods = 0;
	pthread_mutex_unlock(&e->held_lock);
	magi_status s = MAGI_OK;
	/* sends only (no waiting for replies): this may run beside a call on another thread */
	for (int b = 1; b <= 2 && session[0]; b++)
		if ((buttons & b) && !s)
			s = magi__cdp_send(e->cdp, session, "Input.dispatchMouseEvent",
					   json_pack("{sssfsfsssisi}", "type", "mouseReleased", "x", x, "y", y, "button",
						     b == 1 ? "left" : "right", "buttons", 0, "clickCount", 1),
					   err);
	for (size_t k = 0; k < MAGI_ARRAY_LEN(mods) && session[0] && !s; k++)
		if (down & mods[k].bit)
			s = magi__cdp_send(e->cdp, session, "Input.dispatchKeyEvent",
					   json_pack("{sssssssisi}", "type", "keyUp", "key", mods[k].key, "code", mods[k].code,
						     "windowsVirtualKeyCode", mods[k].vk, "modifiers", 0),
					   err);
	return s;
}

/* A click at CSS pixels (x, y): 1 or 2 clicks of the left or right button. */
static magi_status click_css(struct browser_env *e, double x, double y, bool right, int clicks, struct magi_error *err)
{
	const char *b = right ? "right" : "left";
	int bits = right ? 2 : 1;
	magi_status s = mouse(e, "mouseMoved", x, y, "none", 0, 0, err);
	for (int c = 1; c <= clicks && !s; c++) {
		s = mouse(e, "mousePressed", x, y, b, bits, c, err);
		if (!s)
			s = mouse(e, "mouseReleased", x, y, b, 0, c, err);
	}
	return s;
}

static magi_status check_point(struct browser_env *e, double x, double y, struct magi_error *err)
{
	double w = e->p.width * e->p.scale, h = e->p.height * e->p.scale;
	if (!(x >= 0 && y >= 0 && x < w && y < h))
		return magi_error_set(err, MAGI_ERR_INVALID, "point (%.0f, %.0f) is outside the %.0fx%.0f screenshot", x, y,
				      w, h);
	return MAGI_OK;
}

/* ---- elements ------------------------------------------------------------------------ */

static magi_status element_of(struct browser_env *e, int id, const struct belem **out, struct magi_error *err)
{
	*out = NULL;
	struct bpage *pg = magi__browser_current(e);
	if (!e->elems_target || !pg || strcmp(e->elems_target, pg->target_id))
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "element %d: the element numbers belong to another tab's page; look at this tab first", id);
	if (id < 1 || (size_t)id > e->n_elems)
		return magi_error_set(err, MAGI_ERR_INVALID, "there is no element %d (the page has elements 1 to %zu)", id,
				      e->n_elems);
	*out = &e->elems[id - 1];
	return MAGI_OK;
}

/* Where to click element id, in CSS pixels: the centre of its part in view as observed,
 * or, when it was out of view, after scrolling it into view. */
static magi_status element_point(struct browser_env *e, int id, double *x, double *y, struct magi_error *err)
{
	const struct belem *be;
	magi_status s = element_of(e, id, &be, err);
	if (s)
		return s;
	if (be->visible || !be->backend_id) {
		*x = be->cx / e->p.scale;
		*y = be->cy / e->p.scale;
		return MAGI_OK;
	}
	if (be->sess)
		return magi_error_set(err, MAGI_ERR_INVALID,
				      "element %d is out of view inside a frame from another site: scroll it into view and look again",
				      id);
	struct magi_error ignore;
	magi__browser_call(e, "DOM.scrollIntoViewIfNeeded", json_pack("{si}", "backendNodeId", (int)be->backend_id), NULL,
			   &ignore);
	json_t *r = NULL;
	if (magi__browser_call(e, "DOM.getContentQuads", json_pack("{si}", "backendNodeId", (int)be->backend_id), &r,
			       &ignore)) {
		json_decref(r);
		return magi_error_set(err, MAGI_ERR_INVALID, "element %d is no longer on the page; look again", id);
	}
	const json_t *q = json_array_get(json_object_get(r, "quads"), 0);
	if (json_array_size(q) < 8) {
		json_decref(r);
		return magi_error_set(err, MAGI_ERR_INVALID, "element %d has no box on the page (hidden?)", id);
	}
	*x = *y = 0;
	for (size_t k = 0; k < 8; k += 2) {
		*x += json_number_value(json_array_get(q, k)) / 4;
		*y += json_number_value(json_array_get(q, k + 1)) / 4;
	}
	json_decref(r);
	return MAGI_OK;
}

/* A JavaScript handle (objectId, in the "magi" group) on the node named by the action:
 * its element number, else the node under its point; *session is where it lives (NULL:
 * the tab's document; else a frame from another site). */
static magi_status target_object(struct browser_env *e, const struct magi_action *a, char *oid, size_t cap,
				 const char **session, struct magi_error *err)
{
	long backend = 0;
	magi_status s;
	*session = NULL;
	if (a->index) {
		const struct belem *be;
		if ((s = element_of(e, a->index, &be, err)))
			return s;
		backend = be->backend_id;
		if (be->sess > 0 && (size_t)be->sess <= e->n_esess)
			*session = e->esess[be->sess - 1];
	} else {
		if ((s = check_point(e, a->x, a->y, err)))
			return s;
		json_t *r = NULL;
		s = magi__browser_call(e, "DOM.getNodeForLocation",
				       json_pack("{sisisb}", "x", (int)(a->x / e->p.scale), "y", (int)(a->y / e->p.scale),
						 "ignorePointerEventsNone", 1),
				       &r, err);
		backend = s ? 0 : magi__json_int(r, "backendNodeId", 0);
		json_decref(r);
		if (s)
			return s;
	}
	if (!backend)
		return magi_error_set(err, MAGI_ERR_INVALID, "%s: that is not an element of the page",
				      magi_action_kind_name(a->kind));
	json_t *r = NULL;
	if ((s = magi__browser_call_on(e, *session, "DOM.resolveNode",
				       json_pack("{siss}", "backendNodeId", (int)backend, "objectGroup", "magi"), &r, err)))
		return s;
	snprintf(oid, cap, "%s", magi__json_str(json_object_get(r, "object"), "objectId", ""));
	json_decref(r);
	return *oid ? MAGI_OK : magi_error_set(err, MAGI_ERR_ENV, "DOM.resolveNode: no object for the element");
}

static const char select_js[] =
	"function(want){let el=this;if(el.nodeType===3)el=el.parentElement;"
	"let sel=el.closest?el.closest('select'):null;"
	"if(!sel&&el.control&&el.control.tagName==='SELECT')sel=el.control;"
	"if(!sel&&el.querySelector)sel=el.querySelector('select');"
	"if(!sel)return{error:'the element is a <'+el.tagName.toLowerCase()+'>, not a <select>'};"
	"const n=s=>String(s).replace(/\\s+/g,' ').trim().toLowerCase();const w=n(want);const os=[...sel.options];"
	"const o=os.find(o=>n(o.label)===w||n(o.value)===w)||os.find(o=>n(o.label).includes(w));"
	"if(!o)return{error:'it has no option \"'+want+'\"; its options: '+os.map(o=>o.label).join(', ')};"
	"if(o.disabled||sel.disabled)return{error:'option \"'+o.label+'\" is disabled'};"
	"sel.value=o.value;o.selected=true;sel.dispatchEvent(new Event('input',{bubbles:true}));"
	"sel.dispatchEvent(new Event('change',{bubbles:true}));return{ok:o.label};}";

static const char file_input_js[] =
	"function(){let el=this;if(el.nodeType===3)el=el.parentElement;const f=x=>x&&x.tagName==='INPUT'&&x.type==='file';"
	"if(f(el))return el;if(f(el.control))return el.control;"
	"const q=el.querySelector&&el.querySelector('input[type=file]');if(q)return q;"
	"const l=el.closest&&el.closest('label');if(l&&f(l.control))return l.control;return null;}";

static magi_status select_option(struct browser_env *e, const struct magi_action *a, struct magi_error *err)
{
	char oid[256];
	const char *sess;
	magi_status s = target_object(e, a, oid, sizeof oid, &sess, err);
	json_t *r = NULL;
	if (!s)
		s = magi__browser_call_on(e, sess, "Runtime.callFunctionOn",
				       json_pack("{sssss[{ss}]sb}", "objectId", oid, "functionDeclaration", select_js, "arguments",
						 "value", a->text ? a->text : "", "returnByValue", 1),
				       &r, err);
	if (!s) {
		const json_t *v = json_object_get(json_object_get(r, "result"), "value");
		const char *why = magi__json_str(v, "error", NULL);
		if (why)
			s = magi_error_set(err, MAGI_ERR_INVALID, "select_option: %s", why);
		else if (!magi__json_str(v, "ok", NULL))
			s = magi_error_set(err, MAGI_ERR_ENV, "select_option: the page's script did not run (%s)",
					   magi__json_str(json_object_get(r, "exceptionDetails"), "text", "no result"));
	}
	json_decref(r);
	struct magi_error ignore;
	magi__browser_call_on(e, sess, "Runtime.releaseObjectGroup", json_pack("{ss}", "objectGroup", "magi"), NULL, &ignore);
	return s;
}

/* The file, resolved, when it lies under the allowed upload directory. */
static magi_status upload_path(struct browser_env *e, const char *path, char real[PATH_MAX], struct magi_error *err)
{
	if (!e->p.upload_dir)
		return magi_error_set(err, MAGI_ERR_DENIED,
				      "upload_file: uploads are off (no upload directory was allowed; magi run --upload-dir DIR)");
	char dir[PATH_MAX];
	if (!realpath(e->p.upload_dir, dir))
		return magi_error_set(err, MAGI_ERR_CONFIG, "upload_file: the upload directory %s: %s", e->p.upload_dir,
				      strerror(errno));
	if (!realpath(path, real))
		return magi_error_set(err, MAGI_ERR_NOT_FOUND, "upload_file: %s: %s", path, strerror(errno));
	size_t dl = strlen(dir);
	if (strncmp(real, dir, dl) || (real[dl] != '/' && strcmp(dir, "/")))
		return magi_error_set(err, MAGI_ERR_DENIED, "upload_file: %s is outside the allowed upload directory %s",
				      path, e->p.upload_dir);
	struct stat st;
	if (stat(real, &st) || !S_ISREG(st.st_mode))
		return magi_error_set(err, MAGI_ERR_INVALID, "upload_file: %s is not a regular file", path);
	return MAGI_OK;
}

static magi_status upload_file(struct browser_env *e, const struct magi_action *a, struct magi_error *err)
{
	char real[PATH_MAX], oid[256];
	const char *sess = NULL;
	magi_status s = upload_path(e, a->text ? a->text : "", real, err);
	if (!s)
		s = target_object(e, a, oid, sizeof oid, &sess, err);
	json_t *r = NULL;
	if (!s)
		s = magi__browser_call_on(e, sess, "Runtime.callFunctionOn",
				       json_pack("{sssssbss}", "objectId", oid, "functionDeclaration", file_input_js,
						 "returnByValue", 0, "objectGroup", "magi"),
				       &r, err);
	const char *input = s ? NULL : magi__json_str(json_object_get(r, "result"), "objectId", NULL);
	if (!s && !input)
		s = magi_error_set(err, MAGI_ERR_INVALID, "upload_file: there is no file input at that element");
	if (!s)
		s = magi__browser_call_on(e, sess, "DOM.setFileInputFiles",
					  json_pack("{s[s]ss}", "files", real, "objectId", input), NULL, err);
	json_decref(r);
	struct magi_error ignore;
	magi__browser_call_on(e, sess, "Runtime.releaseObjectGroup", json_pack("{ss}", "objectGroup", "magi"), NULL, &ignore);
	return s;
}

/* ---- dispatch ------------------------------------------------------------------------ */

magi_status magi__browser_input(struct browser_env *e, const struct magi_action *a, struct magi_error *err)
{
	double sc = e->p.scale;
	magi_status s;
	switch (a->kind) {
	case MAGI_ACT_CLICK:
	case MAGI_ACT_DOUBLE_CLICK:
	case MAGI_ACT_RIGHT_CLICK:
		if (!a->has_point)
			return magi_error_set(err, MAGI_ERR_INVALID, "%s needs a point", magi_action_kind_name(a->kind));
		if ((s = check_point(e, a->x, a->y, err)))
			return s;
		return click_css(e, a->x / sc, a->y / sc, a->kind == MAGI_ACT_RIGHT_CLICK,
				 a->kind == MAGI_ACT_DOUBLE_CLICK ? 2 : 1, err);
	case MAGI_ACT_CLICK_ELEMENT: {
		double x = 0, y = 0;
		if ((s = element_point(e, a->index, &x, &y, err)))
			return s;
		return click_css(e, x, y, false, 1, err);
	}
	case MAGI_ACT_DRAG: {
		if (!a->has_point || !a->has_point2)
			return magi_error_set(err, MAGI_ERR_INVALID, "drag needs a start and an end");
		if ((s = check_point(e, a->x, a->y, err)) || (s = check_point(e, a->x2, a->y2, err)))
			return s;
		double x0 = a->x / sc, y0 = a->y / sc, x1 = a->x2 / sc, y1 = a->y2 / sc;
		s = mouse(e, "mouseMoved", x0, y0, "none", 0, 0, err);
		if (!s)
			s = mouse(e, "mousePressed", x0, y0, "left", 1, 1, err);
		for (int k = 1; k <= BROWSER_DRAG_STEPS && !s; k++) {
			/* let go of from another thread (magi__browser_release): the drag ends there */
			pthread_mutex_lock(&e->held_lock);
			bool let_go = !(e->held_buttons & 1);
			pthread_mutex_unlock(&e->held_lock);
			if (let_go)
				return magi_error_set(err, MAGI_ERR_CANCELLED, "drag: the button was let go midway (input released)");
			s = mouse(e, "mouseMoved", x0 + (x1 - x0) * k / BROWSER_DRAG_STEPS,
				  y0 + (y1 - y0) * k / BROWSER_DRAG_STEPS, "left", 1, 0, err);
		}
		struct magi_error ignore;
		magi_status s2 = mouse(e, "mouseReleased", x1, y1, "left", 0, 1, s ? &ignore : err);
		return s ? s : s2;
	}
	case MAGI_ACT_SCROLL: {
		double x = e->p.width / 2.0, y = e->p.height / 2.0;
		if (a->has_point) {
			if ((s = check_point(e, a->x, a->y, err)))
				return s;
			x = a->x / sc;
			y = a->y / sc;
		}
		double d = BROWSER_WHEEL_PX * (a->amount > 0 ? a->amount : 5);
		double dx = a->dir == MAGI_SCROLL_LEFT ? -d : a->dir == MAGI_SCROLL_RIGHT ? d : 0;
		double dy = a->dir == MAGI_SCROLL_UP ? -d : a->dir == MAGI_SCROLL_DOWN ? d : 0;
		return magi__browser_call(e, "Input.dispatchMouseEvent",
					  json_pack("{sssfsfsfsf}", "type", "mouseWheel", "x", x, "y", y, "deltaX", dx, "deltaY", dy),
					  NULL, err);
	}
	case MAGI_ACT_TYPE:
		return type_text(e, a->text ? a->text : "", err);
	case MAGI_ACT_KEY:
		return press_combo(e, a->text ? a->text : "", err);
	case MAGI_ACT_SELECT_OPTION:
		return select_option(e, a, err);
	case MAGI_ACT_UPLOAD_FILE:
		return upload_file(e, a, err);
	default:
		return magi_error_set(err, MAGI_ERR_UNSUPPORTED, "the browser cannot perform '%s'",
				      magi_action_kind_name(a->kind));
	}
}
