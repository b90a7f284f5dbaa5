/* pii_person_reread.c — which lines the second reading (pii_reread.c) reads again for a
 * person's name (issue 16, session 8): a line where the text says a name stands — a name
 * label opening a field, a salutation, or the line under a name label alone or a letter's
 * closing — that the first reading found no name on. The page reading cuts a row into
 * several lines and drops words between them ("Liebe" | "u Nguyen," for "Liebe Thu
 * Nguyen,", development set 611), so a line's row is read whole: from the first line of
 * the row left of it (within 20 line heights) to its own end.
 *
 * The model: English ("eng"), as for every second reading. Tesseract's Latin-script model
 * (Debian's tesseract-ocr-script-latn) reads diacritics as written ("Jürgen Weiß" where
 * "eng" reads "Jurgen Weis"), but a name read without its diacritics is still a name to
 * the rules, and the Latin model took ~5 s to load and several times eng's time per line
 * here (tesseract command, load 12): not worth it for detection. */
#include <stdio.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

/* Lines a and b share a row: they overlap by half the lower one's height. */
static bool same_row(const struct magi_ocr_line *a, const struct magi_ocr_line *b)
{
	int ov = MAGI_MIN(a->y + a->h, b->y + b->h) - MAGI_MAX(a->y, b->y);
	return ov * 2 >= MAGI_MIN(a->h, b->h);
}

bool magi__pii_name_row(const struct magi_ocr *ocr, size_t li, int box[4])
{
	const struct magi_ocr_line *l = &ocr->lines[li];
	if (!l->text)
		return false;
	/* the row up to this line: the lines left of it, joined by tabs as the scan joins
	 * them (a form's label and its value) */
	char row[512];
	size_t n = 0;
	int x0 = l->x;
	for (size_t k = 0; k < ocr->n_lines; k++) {
		const struct magi_ocr_line *u = &ocr->lines[k];
		if (k == li || !u->text || u->x + u->w > l->x || l->x - (u->x + u->w) > 20 * l->h || !same_row(u, l))
			continue;
		int m = snprintf(row + n, sizeof row - n, "%s\t", u->text);
		if (m < 0 || (size_t)m >= sizeof row - n)
			break;
		n += (size_t)m;
		x0 = MAGI_MIN(x0, u->x);
	}
	snprintf(row + n, sizeof row - n, "%s", l->text);
	box[0] = x0, box[1] = l->y, box[2] = l->x + l->w, box[3] = l->y + l->h;
	if (magi__pii_person_cue(row, strlen(row)) == 1)
		return true;
	/* the line above (the nearest one ending above this one's middle, overlapping it
	 * across) says the name is on the next line */
	size_t best = li;
	int gap = 0;
	for (size_t k = 0; k < ocr->n_lines; k++) {
		const struct magi_ocr_line *u = &ocr->lines[k];
		int g = l->y - (u->y + u->h);
		if (k == li || !u->text || g < -l->h / 2 || g > 2 * l->h || u->x > l->x + l->w ||
		    u->x + u->w < l->x)
			continue;
		if (best == li || g < gap)
			best = k, gap = g;
	}
	if (best == li)
		return false;
	box[0] = l->x;
	return magi__pii_person_cue(ocr->lines[best].text, strlen(ocr->lines[best].text)) == 2;
}
