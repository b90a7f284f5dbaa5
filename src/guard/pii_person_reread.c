/* pii_person_reread.c — which lines the second reading (pii_reread.c) reads again for a
 * person's name (issue 16, session 8): a line where the text says a name stands — a name
 * label opening a field, a salutation, or the line under a name label alone or a letter's
 * closing — that the first reading found no name on. On the development screens the page
 * reading lost glyphs of such lines ("Liebe Thu Nguyen," read "u Nguyen,") that the same
 * engine read right on the line alone.
 *
 * The model: English ("eng"), as for every second reading. Tesseract's Latin-script model
 * (Debian's tesseract-ocr-script-latn) reads diacritics as written ("Jürgen Weiß" where
 * "eng" reads "Jurgen Weis"), but a name read without its diacritics is still a name to
 * the rules, and the Latin model cost ~5 s to load and several times eng's time per line
 * here (tesseract command, load 12): not worth it for detection. */
#include <string.h>
#include "guard/pii_internal.h"

bool magi__pii_name_row(const struct magi_ocr *ocr, size_t li)
{
	const char *t = ocr->lines[li].text;
	if (t && magi__pii_person_cue(t, strlen(t)) == 1)
		return true;
	/* the line above (by position: the nearest line that ends above this one's middle,
	 * overlapping it across) says the name is on the next line */
	const struct magi_ocr_line *l = &ocr->lines[li];
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
	return magi__pii_person_cue(ocr->lines[best].text, strlen(ocr->lines[best].text)) == 2;
}
