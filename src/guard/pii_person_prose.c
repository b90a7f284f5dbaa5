/* pii_person_prose.c — person names in running prose, where no label, salutation or
 * signature says a name stands ("... spoke with Maria Gonzalez yesterday", "cc Tom Baker",
 * "Assigned to Priya Raman"). Three kinds of evidence, each a rule of its own:
 *   - a title before the name: Mr/Mrs/Ms/Mx/Dr/Prof/Miss (the dot optional), Herr, Frau,
 *     Mme, Mlle, Sr., Sra., Dott. ("Dr. Chen", "Mrs Patel", "Herr Müller");
 *   - a cue phrase next to a run of 2-4 name words: before it, a verb or preposition that
 *     takes a person ("spoke with", "reach out to", "assigned to", "on behalf of",
 *     "according to", "c/o", "cc", "thanks to", ...); after it, a verb of saying
 *     ("Maria Gonzalez wrote:", "... said");
 *   - a run of 2-4 name words whose first is a common given name (the list below), not
 *     inside a Title Case heading (the word before it is not capitalised).
 * A name run is pii_person.c's (capitalised words, initials, particles, its stop list of
 * interface words), here without words in capitals, which in prose are acronyms.
 *
 * The given names: common first names of the countries' official statistics as published
 * (US SSA baby names, ONS England and Wales, Germany's GfdS, INSEE France, INE Spain,
 * ISTAT Italy, SVB Netherlands, Poland's PESEL registry, TÜİK Turkey, Rosstat, and the
 * usual romanised names of India, China, Japan, Korea, Vietnam, Nigeria, the Arab world),
 * written from those facts; names that are also ordinary English or computing words
 * (Will, Mark, Grace, Rose, Julia, Ruby, Max, Jack, Bill, Frank, Summer, ...) are left out:
 * they start too many headings and phrases. No list of family names is used. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

bool magi__pii_given_names = true;

static const char *const given_names[] = {
    /* English (SSA, ONS) */
    "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas",
    "charles", "christopher", "daniel", "matthew", "anthony", "donald", "steven", "paul", "andrew",
    "joshua", "kenneth", "kevin", "brian", "george", "timothy", "ronald", "edward", "jason",
    "jeffrey", "ryan", "jacob", "gary", "nicholas", "eric", "jonathan", "stephen", "larry",
    "justin", "scott", "brandon", "benjamin", "samuel", "gregory", "alexander", "patrick",
    "raymond", "dennis", "jerry", "tyler", "aaron", "henry", "douglas", "peter", "adam", "nathan",
    "zachary", "walter", "kyle", "harold", "carl", "jeremy", "keith", "roger", "gerald", "ethan",
    "arthur", "terry", "christian", "sean", "lawrence", "austin", "joe", "noah", "jesse", "albert",
    "bryan", "billy", "bruce", "willie", "jordan", "dylan", "alan", "ralph", "gabriel", "roy",
    "juan", "wayne", "eugene", "logan", "randy", "louis", "russell", "vincent", "philip", "bobby",
    "johnny", "bradley", "liam", "oliver", "elijah", "lucas", "mason", "harry", "oscar", "charlie",
    "leo", "alfie", "freddie", "archie", "theo", "isaac", "owen", "connor", "callum", "mary",
    "patricia", "jennifer", "linda", "elizabeth", "barbara", "susan", "jessica", "sarah", "karen",
    "nancy", "lisa", "betty", "margaret", "sandra", "ashley", "kimberly", "emily", "donna",
    "michelle", "carol", "amanda", "dorothy", "melissa", "deborah", "stephanie", "rebecca",
    "sharon", "laura", "cynthia", "kathleen", "amy", "angela", "shirley", "anna", "brenda",
    "pamela", "emma", "nicole", "helen", "samantha", "katherine", "christine", "debra", "rachel",
    "carolyn", "janet", "catherine", "maria", "heather", "diane", "julie", "joyce", "victoria",
    "kelly", "christina", "lauren", "joan", "evelyn", "olivia", "judith", "megan", "cheryl",
    "martha", "andrea", "hannah", "jacqueline", "gloria", "teresa", "kathryn", "sara", "janice",
    "madison", "abigail", "sophia", "isabella", "ava", "mia", "charlotte", "amelia", "harper",
    "chloe", "ella", "lily", "sophie", "lucy", "ellie", "isla", "poppy", "freya", "eleanor",
    "alice", "florence", "evie", "zoe", "natalie", "claire", "fiona", "siobhan",
    /* German (GfdS) */
    "jürgen", "klaus", "wolfgang", "günter", "dieter", "uwe", "stefan", "andreas", "thorsten",
    "matthias", "markus", "tobias", "florian", "lukas", "jonas", "leon", "felix", "maximilian",
    "niklas", "moritz", "sebastian", "jörg", "helmut", "manfred", "ursula", "monika", "petra",
    "sabine", "renate", "brigitte", "gabriele", "ingrid", "katharina", "julia", "johanna", "lena",
    "leonie", "marie", "annika", "friederike", "anneliese", "birgit", "heike", "susanne", "claudia",
    "franziska",
    /* French (INSEE) */
    "jean", "pierre", "michel", "philippe", "alain", "nicolas", "christophe", "françois", "julien",
    "laurent", "sébastien", "jérôme", "benoît", "thierry", "olivier", "théo", "hugo", "mathieu",
    "antoine", "céline", "nathalie", "isabelle", "sylvie", "valérie", "sandrine", "hélène",
    "amélie", "émilie", "anne", "camille", "léa", "manon", "chloé", "inès", "juliette", "margaux",
    "élodie", "aurélie", "marion",
    /* Spanish, Portuguese (INE, IBGE) */
    "josé", "antonio", "manuel", "francisco", "javier", "jesús", "carlos", "miguel", "alejandro",
    "rafael", "pablo", "sergio", "fernando", "jorge", "alberto", "álvaro", "diego", "andrés",
    "joão", "pedro", "tiago", "gonçalo", "rodrigo", "mateus", "maría", "carmen", "lucía", "marta",
    "cristina", "nuria", "sofía", "paula", "elena", "isabel", "pilar", "rosa", "beatriz", "ana",
    "juana", "mariana", "gabriela", "fernanda", "larissa", "letícia", "inês",
    /* Italian (ISTAT) */
    "giuseppe", "giovanni", "francesco", "alessandro", "marco", "matteo", "lorenzo", "luca",
    "davide", "simone", "federico", "riccardo", "stefano", "paolo", "giulia", "francesca", "chiara",
    "federica", "alessandra", "silvia", "valentina", "martina", "giorgia", "elisa", "roberta",
    "paola",
    /* Dutch (SVB), Nordic */
    "jan", "pieter", "hendrik", "willem", "daan", "bram", "sem", "joost", "thijs", "ruben", "sanne",
    "femke", "lotte", "anouk", "eva", "fleur", "lieke", "lars", "erik", "anders", "magnus", "nils",
    "sven", "astrid", "sigrid", "karin", "kirsten",
    /* Polish (PESEL), Czech */
    "piotr", "krzysztof", "andrzej", "tomasz", "paweł", "marcin", "michał", "łukasz", "jakub",
    "wojciech", "grzegorz", "mateusz", "agnieszka", "katarzyna", "małgorzata", "magdalena",
    "joanna", "aleksandra", "zofia", "ewa", "jiří", "petr",
    /* Russian, Ukrainian (Rosstat, romanised) */
    "aleksandr", "alexei", "aleksei", "dmitri", "dmitry", "sergei", "sergey", "andrei", "andrey",
    "mikhail", "ivan", "nikolai", "vladimir", "yuri", "oleg", "igor", "natalia", "natalya", "olga",
    "tatiana", "tatyana", "svetlana", "irina", "yelena", "ekaterina", "yekaterina", "anastasia",
    "oksana", "larisa",
    /* Turkish (TÜİK) */
    "mehmet", "mustafa", "ahmet", "ali", "hüseyin", "hasan", "ibrahim", "emre", "murat", "burak",
    "yusuf", "ayşe", "fatma", "zeynep", "elif", "emine", "hatice", "merve",
    /* Arabic */
    "mohammed", "muhammad", "mohamed", "ahmed", "omar", "youssef", "khalid", "abdullah", "hassan",
    "hussein", "karim", "tariq", "fatima", "aisha", "layla", "mariam", "nour", "yasmin", "salma",
    "huda",
    /* India */
    "rahul", "amit", "rajesh", "suresh", "ramesh", "vikram", "arjun", "rohan", "aditya", "sanjay",
    "anil", "sunil", "vijay", "deepak", "arun", "priya", "ananya", "sneha", "pooja", "neha",
    "deepika", "kavya", "lakshmi", "sunita", "anjali", "divya", "swati",
    /* China, Japan, Korea, Vietnam (romanised) */
    "xiaoming", "zhiwei", "jing", "yan", "xiu", "ying", "haruto", "takeshi", "hiroshi", "kenji",
    "yuki", "sakura", "yui", "haruka", "minjun", "seoyeon", "jiho", "jisoo", "dohyun", "jiwoo",
    "minh", "huong", "quang", "thanh",
    /* Nigeria, East Africa */
    "chinedu", "emeka", "ngozi", "chioma", "oluwaseun", "adebayo", "tunde", "funmilayo", "amina",
    "kwame", "wanjiru",
    /* session 7, written from memory of the same kinds of rankings (never from a
     * generator's pool), for the countries the list above covered thinly; names that are
     * ordinary or computing words (Long, Lan, Mai, Nam, Hai, Min, Jun, Santiago) left out */
    /* Vietnam */
    "anh", "linh", "hoa", "tuan", "tuấn", "hùng", "dũng", "dung", "trang", "hạnh", "hanh",
    "phương", "phuong", "thảo", "thao", "ngọc", "ngoc", "huy", "khánh", "khanh", "đức", "duc",
    "thi", "thị", "văn", "hiếu", "hieu", "trung", "nhung", "thúy", "thuy", "quỳnh", "quynh",
    /* Japan */
    "sota", "sōta", "hinata", "yuto", "riku", "daiki", "shota", "takumi", "kaito", "yuna",
    "misaki", "ayaka", "naoki", "kazuki", "yusuke", "ryota", "akira", "satoshi", "kenta",
    "tomoko", "keiko", "yoko", "haruki", "hiroki", "daisuke", "takuya", "kenichi", "makoto",
    "naoko", "yumi", "mayumi", "akiko", "noriko", "kaori", "megumi", "ayumi", "taro", "tarō",
    "ichiro", "hanako", "koharu", "tsubasa", "rina", "saki",
    /* China (pinyin) */
    "wei", "fang", "lei", "hao", "xin", "jie", "tao", "ming", "hui", "qiang", "xiaoyu", "yifan",
    "zihan", "haoran", "yuxuan", "zihao", "xinyi", "yuting", "jiahui", "xiaohong", "jianguo",
    "jianhua", "guoqiang", "lihua", "xiuying", "meiling", "yiming", "junjie", "chenxi",
    /* Korea */
    "jiwon", "minseo", "seojun", "hyun", "jihoon", "minji", "sujin", "eunji", "hyejin", "junho",
    "sungmin", "jieun", "soyeon", "yejin", "hyunwoo", "jaehyun", "donghyun", "seungmin",
    "jimin", "eunjung",
    /* Nigeria, Ghana */
    "adaeze", "chiamaka", "nkechi", "ifeoma", "obinna", "chukwuemeka", "ikenna", "uchenna",
    "oluwatobi", "temitope", "folake", "bukola", "yetunde", "babajide", "segun", "femi",
    "kunle", "chidi", "chinonso", "nneka", "amaka", "kelechi", "ifeanyi", "olumide",
    "ayodele", "adaobi", "zainab", "hauwa", "aminu", "kofi", "kwabena", "abena", "akosua",
    /* India */
    "vikas", "nikhil", "karthik", "siddharth", "varun", "akash", "manish", "ravi", "kiran",
    "meera", "aishwarya", "shreya", "nisha", "rekha", "geeta", "harish", "prakash", "ganesh",
    "mahesh", "naveen", "pradeep", "sandeep", "rakesh", "sachin", "gaurav", "ajay", "abhishek",
    "ankit", "rohit", "saurabh", "vivek", "shweta", "preeti", "kavita", "aarav", "vihaan",
    "ishaan", "aditi", "riya", "shruti", "pallavi", "srinivas", "arvind", "anand", "ashok",
    /* the Arab world, Iran, Pakistan */
    "ahmad", "mahmoud", "hamza", "maryam", "rania", "leila", "noor", "samir", "rami", "walid",
    "nabil", "faisal", "saeed", "yousef", "amir", "reza", "mehdi", "hossein", "zahra",
    "fatemeh", "bilal", "imran", "nadia", "samira", "amira", "jamal", "kamal", "tarek",
    "ayman", "yasser", "ziad", "khadija",
    /* Latin America, Greece, the Nordic countries */
    "thiago", "felipe", "gustavo", "camila", "juliana", "vanessa", "daniela", "luis", "luís",
    "raúl", "ricardo", "eduardo", "roberto", "enrique", "guillermo", "valeria", "ximena",
    "agustín", "nicolás", "tomás", "emilio", "héctor", "georgios", "dimitrios", "konstantinos",
    "ioannis", "nikolaos", "eleni", "mikael", "johan", "henrik", "fredrik", "mikko", "matti",
    "jukka", "pekka", NULL};

/* Titles before a family name in prose; the English ones also without their dot. */
static const char *const prose_titles[] = {
    "Mr.",  "Mrs.", "Ms.",  "Mx.",  "Dr.", "Prof.", "Mr",  "Mrs",  "Ms",    "Mx",	"Dr",
    "Prof", "Miss", "Herr", "Frau", "Mme", "Mlle",  "Sr.", "Sra.", "Dott.", "Dott.ssa", NULL};

/* Verbs and prepositions that take a person, before the name (compared without case). */
static const char *const cues_before[] = {"spoke with",
					  "spoke to",
					  "speak with",
					  "speak to",
					  "talked to",
					  "talked with",
					  "talk to",
					  "talk with",
					  "met with",
					  "meet with",
					  "meeting with",
					  "call with",
					  "chat with",
					  "chatted with",
					  "reach out to",
					  "reached out to",
					  "contact",
					  "contacted",
					  "ask",
					  "asked",
					  "tell",
					  "told",
					  "thank",
					  "thanked",
					  "thanks to",
					  "cc",
					  "cc:",
					  "ping",
					  "pinged",
					  "emailed",
					  "e-mailed",
					  "messaged",
					  "invite",
					  "invited",
					  "introduce",
					  "introduced",
					  "forward to",
					  "forwarded to",
					  "assigned to",
					  "reassigned to",
					  "handed over to",
					  "escalated to",
					  "on behalf of",
					  "according to",
					  "signed by",
					  "reviewed by",
					  "approved by",
					  "requested by",
					  "submitted by",
					  "sent by",
					  "c/o",
					  "care of",
					  "attn",
					  "attn:",
					  "congratulations to",
					  "welcome",
					  NULL};
/* Verbs of saying after the name ("Maria Gonzalez wrote:"). */
static const char *const cues_after[] = {
    "wrote",	 "said",      "says",	"replied", "mentioned", "commented", "suggested",
    "confirmed", "explained", "agreed", "asked",   "told",	"called",    NULL};

static bool word_start(const char *t, size_t i)
{
	/* U+2000-U+206F (quotes, dashes) is no letter: "‘Mr. Ivanov" (session 10) */
	bool punct = i >= 3 && (uc)t[i - 3] == 0xE2 && ((uc)t[i - 2] == 0x80 || (uc)t[i - 2] == 0x81);
	return i == 0 ||
	       !(magi__is_alnum((uc)t[i - 1]) || (((uc)t[i - 1] & 0x80) && !punct) || t[i - 1] == '-' ||
		 t[i - 1] == '_' || t[i - 1] == '/' || t[i - 1] == '.');
}

/* The word before t[i] on its line (its start and end), skipping spaces; false when there
 * is none or punctuation stands between. */
static bool word_before(const char *t, size_t i, size_t *ws, size_t *we)
{
	size_t b = i;
	while (b > 0 && t[b - 1] == ' ')
		b--;
	if (b == 0 || b == i)
		return false;
	size_t a = b;
	while (a > 0 && (magi__is_alpha((uc)t[a - 1]) || ((uc)t[a - 1] & 0x80) || t[a - 1] == '\''))
		a--;
	if (a == b)
		return false;
	*ws = a, *we = b;
	return true;
}

/* A cue phrase (lower case, words split by one space) ending right before the spaces at
 * t[i]. */
static bool cue_before(const char *t, size_t i)
{
	size_t b = i;
	while (b > 0 && t[b - 1] == ' ')
		b--;
	if (b == i)
		return false;
	for (size_t k = 0; cues_before[k]; k++) {
		size_t n = strlen(cues_before[k]);
		if (n > b)
			continue;
		size_t a = b - n, j = 0;
		while (j < n && magi__lower((uc)t[a + j]) == (uc)cues_before[k][j])
			j++;
		if (j == n && word_start(t, a))
			return true;
	}
	return false;
}

/* A verb of saying right after the name ending at e ("... wrote:", "... said"). */
static bool cue_after(const char *t, size_t len, size_t e)
{
	if (e >= len || t[e] != ' ')
		return false;
	for (size_t k = 0; cues_after[k]; k++)
		if (magi__word_at(t, len, e + 1, cues_after[k]))
			return true;
	return false;
}

/* A title at t[i]: the position after it and its spaces, or 0. "Dr" without its dot is
 * no title after a capitalised word ("Oak Dr"). */
static size_t title_at(const char *t, size_t len, size_t i)
{
	for (size_t k = 0; prose_titles[k]; k++) {
		size_t n = strlen(prose_titles[k]);
		if (i + n + 2 >= len || memcmp(t + i, prose_titles[k], n))
			continue;
		size_t ws, we;
		/* OCR's comma for the title's dot ("Meeting with Dr, Liu", session 7): only after
		 * a lower-case word ("Oak Dr, Springfield" is an address) */
		/* session 10: or opening its line or sentence ("Mr, Takahashi has approved the
		 * request,"), the name then followed by a lower-case word */
		if (t[i + n] == ',' && t[i + n + 1] == ' ' && prose_titles[k][n - 1] != '.' &&
		    word_before(t, i, &ws, &we) && magi__is_lower((uc)t[ws]))
			return i + n + 2;
		if (t[i + n] == ',' && t[i + n + 1] == ' ' && prose_titles[k][n - 1] != '.' &&
		    !word_before(t, i, &ws, &we) && (i == 0 || t[i - 1] == '\n' || t[i - 1] == ' ')) {
			size_t e, q = i + n + 2;
			if (magi__pii_name_run(t, len, q, &e, true) >= 1 && e + 2 < len && t[e] == ' ' &&
			    magi__is_lower((uc)t[e + 1]))
				return q;
		}
		if (t[i + n] != ' ')
			continue;
		if (prose_titles[k][n - 1] != '.' && word_before(t, i, &ws, &we) &&
		    magi__is_upper((uc)t[ws]))
			return 0;
		size_t q = i + n;
		while (q < len && t[q] == ' ')
			q++;
		return q;
	}
	return 0;
}

/* w[0..n) with its first letter in lower case (ASCII, Latin-1 and Latin Extended-A
 * capitals: "Łukasz" -> "łukasz", "Émilie" -> "émilie") into buf; its length, or 0. */
static size_t lower_first(const char *w, size_t n, char *buf, size_t cap)
{
	if (n == 0 || n >= cap)
		return 0;
	memcpy(buf, w, n);
	uc b0 = (uc)w[0], b1 = n > 1 ? (uc)w[1] : 0;
	if (b0 < 0x80) {
		buf[0] = (char)magi__lower(b0);
	} else if (b0 == 0xC3 && b1 >= 0x80 && b1 <= 0x9E && b1 != 0x97) {
		buf[1] = (char)(b1 + 0x20);
	} else if (b0 == 0xC4 || b0 == 0xC5) {
		unsigned cp = ((b0 & 0x1Fu) << 6) | (b1 & 0x3Fu);
		bool odd_pairs = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
		if ((odd_pairs && (cp & 1)) ||
		    (!odd_pairs && !(cp & 1) && cp < 0x178 && cp != 0x138)) {
			cp++;
			buf[0] = (char)(0xC0 | (cp >> 6));
			buf[1] = (char)(0x80 | (cp & 0x3F));
		}
	}
	buf[n] = 0;
	return n;
}

static bool given_name(const char *t, size_t s, size_t e)
{
	char w[48];
	const char *h = memchr(t + s, '-', e - s);
	size_t n = lower_first(t + s, h ? (size_t)(h - (t + s)) : e - s, w, sizeof w);
	return n && magi__pii_in_list(w, n, given_names);
}

/* The name run ending at e goes on with a capitalised word the stop list ended it at
 * ("Red Hat Support"): a longer proper noun, no person. */
static bool proper_noun_goes_on(const char *t, size_t len, size_t e)
{
	return e + 1 < len && t[e] == ' ' && magi__is_upper((uc)t[e + 1]);
}

/* The end of the first word of a name run at t[i]. */
static size_t first_word_end(const char *t, size_t len, size_t i)
{
	size_t q = i;
	while (q < len && t[q] != ' ' && t[q] != '\n' && t[q] != ',' && t[q] != '.')
		q++;
	return q;
}

/* The start of the last word of the name run [i, e). */
static size_t last_word_start(const char *t, size_t i, size_t e)
{
	size_t q = e;
	while (q > i && t[q - 1] != ' ')
		q--;
	return q;
}

/* The word before t[i] on its line is capitalised (a Title Case heading goes on). */
static bool word_before_capitalised(const char *t, size_t i)
{
	size_t ws, we;
	return word_before(t, i, &ws, &we) && magi__is_upper((uc)t[ws]);
}

magi_status magi__pii_persons_prose(const char *t, size_t len, struct magi__fvec *fv)
{
	size_t next = 0;
	for (size_t i = 0; i < len; i++) {
		bool up = false;
		if (i < next ||
		    !(magi__is_upper((uc)t[i]) ||
		      ((uc)t[i] >= 0xC0 && magi__pii_utf8_letter(t, len, i, &up) && up)) ||
		    !word_start(t, i))
			continue;
		size_t e, s = i, we0;
		float score = 0;
		size_t q = title_at(t, len, i);
		if (q && magi__pii_name_run(t, len, magi__pii_skip_particles(t, len, q), &e,
					    true) >= 1) {
			s = q, score = 0.6f;
		} else if (q) {
			continue;
		} else if (magi__pii_name_run(t, len, i, &e, true) >= 2 &&
			   first_word_end(t, len, i) < e && !proper_noun_goes_on(t, len, e)) {
			size_t ws, we;
			bool heading = word_before(t, i, &ws, &we) && magi__is_upper((uc)t[ws]) &&
				       !cue_before(t, i);
			size_t fe = first_word_end(t, len, i), ls = last_word_start(t, i, e);
			if (cue_before(t, i) || cue_after(t, len, e))
				score = 0.6f;
			else if (magi__pii_given_names && !heading &&
				 (given_name(t, i, fe) || magi__pii_family_name(t + ls, e - ls) ||
				  (magi__pii_family_name(t + i, fe - i) && ls == fe + 1 &&
				   given_name(t, ls, e))))
				/* a listed given name first; a listed family name (or its ending)
				 * last; a family name first and a given name after it ("Choi
				 * Minjun", session 7) */
				score = 0.5f;
		} else if (magi__pii_name_word_kind(t, len, i, &we0) == 2 && we0 + 1 < len &&
			   t[we0] == ' ' && magi__pii_name_run(t, len, we0 + 1, &e, true) >= 1 &&
			   !proper_noun_goes_on(t, len, e) &&
			   (cue_after(t, len, e) ||
			    (cue_before(t, i) && magi__pii_given_names &&
			     (given_name(t, we0 + 1, first_word_end(t, len, we0 + 1)) ||
			      magi__pii_family_name(t + i, we0 - i))) ||
			    (magi__pii_given_names && !word_before_capitalised(t, i) &&
			     magi__pii_family_name(t + i, we0 - i) && we0 - i >= 3))) {
			/* a family name in capitals, then the given name: before a verb of saying
			 * ("LE Thu wrote:", session 7); after a cue, with a listed given or family
			 * name ("cc KANG Seoyeon"); a listed family name of 3+ letters (session 7:
			 * "ZHANG Jing will join"). After a cue alone it is an acronym as often
			 * ("according to POSIX Threads") */
			score = 0.6f;
		}
		if (score == 0)
			continue;
		magi_status st = magi__fvec_push(fv, MAGI_PII_PERSON, s, e, score, NULL);
		if (st)
			return st;
		next = e;
	}
	return MAGI_OK;
}
