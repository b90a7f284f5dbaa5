/* pii_person_names.c — what a family name looks like, for names in running prose that no
 * label, title or cue introduces ("The report from Sota Nakamura is attached", "ZHANG Jing
 * will join"). Two kinds of knowledge, both off with magi__pii_given_names = false:
 *   - a list of common family names per country, written in session 7 from memory of the
 *     published rankings of surnames (national statistics and registries: US Census 2010,
 *     ONS, Destatis/GfdS, INSEE, INE, ISTAT, CBS Meertens, PESEL, Rosstat, TÜİK, China's
 *     Ministry of Public Security 2020 ranking, Korea's 2015 census, Japan's Meiji Yasuda
 *     survey, Vietnam's common clan names, Nigeria's and India's most frequent names, the
 *     Arab world's and Iran's), without looking at any generator's names; names that are
 *     also common English or computing words (Baker, Park, Song, Sun, Long, Young, Wood,
 *     King, White, Green, Price, Cruz of "Santa Cruz", Kong of "Hong Kong", ...) or
 *     articles (Le, Do, Ho, Das) are left out;
 *   - the endings of family names in several languages (Russian -ov/-ova/-ev/-eva,
 *     Ukrainian -enko, Polish -ski/-ska/-wicz/-czyk, South Slavic -ović/-ević, Georgian
 *     -shvili/-dze, Armenian -yan/-ian, Romanian -escu, Greek -poulos/-opoulou/-akis/-idis,
 *     Turkish -oğlu, Nordic -sson/-ssen/-sen), on words of 6+ letters, and the Arabic
 *     article or kinship glued by a hyphen (Al-, El-, Abu-, Bin-, Ben-) before a capital.
 * A match is only evidence; pii_person_prose.c decides where it may stand. */
#include <string.h>
#include "guard/pii_internal.h"
#include "core/common.h"

static const char *const family_names[] = {
    /* English-speaking countries (US Census, ONS) */
    "smith", "johnson", "williams", "jones", "garcia", "miller", "davis", "rodriguez",
    "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "taylor", "moore",
    "jackson", "thompson", "harris", "sanchez", "clark", "ramirez", "lewis", "robinson",
    "walker", "allen", "torres", "nguyen", "flores", "adams", "nelson", "campbell", "mitchell",
    "roberts", "gomez", "phillips", "evans", "edwards", "collins", "reyes", "stewart", "morris",
    "morales", "murphy", "rogers", "gutierrez", "ortiz", "morgan", "peterson", "bailey",
    "ramos", "richardson", "watson", "chavez", "bennett", "mendoza", "ruiz", "hughes",
    "alvarez", "castillo", "sanders", "myers", "foster", "jimenez", "thomson", "macdonald",
    "mackenzie", "fitzgerald", "obrien", "o'brien", "o'connor", "o'neill", "kennedy", "sullivan",
    "gallagher", "doherty", "mccarthy", "byrne", "walsh",
    /* German (Destatis, GfdS) */
    "müller", "mueller", "schmidt", "schneider", "fischer", "weber", "meyer", "wagner",
    "becker", "schulz", "hoffmann", "schäfer", "schaefer", "koch", "bauer", "richter",
    "schröder", "schroeder", "neumann", "schwarz", "zimmermann", "krüger", "hofmann",
    "hartmann", "schmitt", "schmitz", "krause", "meier", "lehmann", "schmid", "schulze",
    "maier", "köhler", "herrmann", "könig", "mayer", "huber", "fuchs", "scholz", "möller",
    "weiß", "schubert", "vogel", "friedrich", "keller", "günther", "winkler", "lorenz",
    "baumann", "franke", "albrecht", "schuster", "böhm", "kraus", "schumacher", "krämer",
    "vogt", "jäger", "seidel", "brandt", "haas", "schreiber", "schulte", "dietrich",
    "ziegler", "kuhn", "kühn", "bergmann", "voigt", "pfeiffer", "wolff", "sauer",
    /* French (INSEE) */
    "bernard", "dubois", "durand", "leroy", "moreau", "lefebvre", "lefèvre", "bertrand",
    "fournier", "morel", "girard", "mercier", "dupont", "lambert", "bonnet", "legrand",
    "garnier", "faure", "rousseau", "guerin", "guérin", "roussel", "perrin", "morin",
    "gauthier", "dumont", "fontaine", "chevalier", "boyer", "lemaire", "leclerc", "dufour",
    /* Italian (ISTAT) */
    "rossi", "russo", "ferrari", "esposito", "bianchi", "colombo", "ricci",
    "greco", "conti", "mancini", "giordano", "rizzo", "lombardi", "moretti",
    "barbieri", "santoro", "mariani", "rinaldi", "caruso", "galli",
    "longo", "martinelli", "vitale", "serra", "coppola",
    /* Spanish, Portuguese, Brazilian (INE, IBGE) */
    "garcía", "rodríguez", "gonzález", "fernández", "fernandez", "lópez", "martínez",
    "sánchez", "pérez", "perez", "gómez", "jiménez", "hernández", "díaz", "diaz", "moreno",
    "muñoz", "munoz", "álvarez", "romero", "alonso", "gutiérrez", "navarro", "domínguez",
    "dominguez", "vázquez", "vazquez", "ramírez", "serrano", "molina", "suárez", "suarez",
    "ortega", "delgado", "castro", "rubio", "marín", "sanz", "iglesias", "medina", "garrido",
    "silva", "santos", "ferreira", "pereira", "oliveira", "rodrigues", "martins", "sousa",
    "souza", "fernandes", "gonçalves", "goncalves", "gomes", "lopes", "marques", "alves",
    "almeida", "ribeiro", "carvalho", "teixeira", "moreira", "correia", "mendes", "nunes",
    "soares", "vieira", "monteiro", "cardoso", "rocha", "araújo", "araujo", "barbosa",
    "cavalcanti", "azevedo",
    /* Dutch, Belgian (CBS, Meertens) */
    "jansen", "janssen", "bakker", "visser", "smit", "meijer", "mulder", "dekker", "brouwer",
    "dijkstra", "smits", "vermeulen", "hendriks", "willems", "claes", "maes", "peeters",
    /* Nordic */
    "hansen", "johansen", "nielsen", "jensen", "pedersen", "olsen", "larsen", "andersen",
    "johansson", "andersson", "karlsson", "nilsson", "eriksson", "larsson", "olsson",
    "persson", "svensson", "gustafsson", "virtanen", "korhonen", "mäkinen", "nieminen",
    /* Polish, Czech, Hungarian (PESEL, CSU, KSH) */
    "nowak", "kowalski", "kowalska", "wiśniewski", "wiśniewska", "wójcik", "kowalczyk",
    "kamiński", "kamińska", "lewandowski", "lewandowska", "zieliński", "zielińska",
    "szymański", "woźniak", "dąbrowski", "kozłowski", "mazur", "krawczyk", "novák", "novak",
    "svoboda", "novotný", "dvořák", "černý", "procházka", "nagy", "kovács", "tóth", "szabó",
    "horváth", "varga", "molnár", "németh", "farkas",
    /* Russian, Ukrainian (Rosstat; most end as below anyway) */
    "ivanov", "smirnov", "kuznetsov", "popov", "vasiliev", "petrov", "sokolov", "mikhailov",
    "novikov", "fedorov", "morozov", "volkov", "lebedev", "kozlov", "pavlov", "shevchenko",
    "kovalenko", "bondarenko", "tkachenko", "melnyk", "kravchenko",
    /* Turkish (TÜİK) */
    "yılmaz", "yilmaz", "kaya", "demir", "şahin", "sahin", "çelik", "celik", "yıldız",
    "yildiz", "yıldırım", "yildirim", "öztürk", "ozturk", "aydın", "aydin", "özdemir",
    "ozdemir", "arslan", "doğan", "dogan", "kılıç", "kilic", "aslan", "çetin", "cetin",
    "koç", "özkan", "şimşek", "polat", "erdoğan", "erdogan", "güneş", "korkmaz", "aksoy",
    /* Greek, Romanian, Balkan */
    "papadopoulos", "nikolaidis", "georgiou", "popescu", "ionescu", "popa",
    /* China (pinyin; Ministry of Public Security ranking), Taiwan, Hong Kong */
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "zhu",
    "hu", "guo", "gao", "lin", "luo", "zheng", "liang", "xie", "tang", "han", "feng", "deng",
    "cao", "peng", "zeng", "xiao", "tian", "dong", "yuan", "cai", "jiang", "yu", "ye",
    "cheng", "wei", "su", "lu", "ding", "ren", "shen", "yao", "fang", "jin", "qiu", "xia",
    "zou", "shi", "xiong", "meng", "qin", "bai", "hou", "jia", "cui", "wong", "chan", "cheung",
    "leung", "chow", "tsai", "hsu", "cheng", "lau", "yeung", "ng",
    /* Korea (2015 census) */
    "kim", "lee", "choi", "jeong", "kang", "cho", "yoon", "yun", "jang", "chang", "lim", "shin",
    "seo", "kwon", "hwang", "ahn", "yoo", "hong", "jeon", "chung", "bae", "baek", "heo", "nam",
    "ryu", "noh",
    /* Japan (the commonest surnames by household counts) */
    "sato", "satō", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "itō", "yamamoto",
    "nakamura", "kobayashi", "kato", "katō", "yoshida", "yamada", "sasaki", "yamaguchi",
    "matsumoto", "inoue", "kimura", "hayashi", "shimizu", "yamazaki", "mori", "abe", "ikeda",
    "hashimoto", "yamashita", "ishikawa", "nakajima", "maeda", "fujita", "ogawa", "goto",
    "gotō", "okada", "hasegawa", "murakami", "kondo", "kondō", "ishii", "saito", "saitō",
    "sakamoto", "endo", "endō", "aoki", "fujii", "nishimura", "fukuda", "ota", "ōta", "miura",
    "fujiwara", "okamoto", "matsuda", "nakagawa", "nakano", "harada", "ono", "tamura",
    "takeuchi", "kaneko", "wada", "nakayama", "ishida", "ueda", "morita", "hara", "shibata",
    "sakai", "kudo", "yokoyama", "miyazaki", "miyamoto", "uchida", "takagi", "ando", "andō",
    "taniguchi", "maruyama", "imai", "fujimoto", "takeda", "murata", "ueno", "sugiyama",
    "masuda", "hirano", "otsuka", "chiba", "kubo", "matsui", "iwasaki", "sakurai", "kinoshita",
    "noguchi", "matsuo", "nomura", "kikuchi", "sano", "sugimoto", "arai",
    /* Vietnam (the clan names; with and without diacritics) */
    "nguyễn", "trần", "tran", "lê", "phạm", "pham", "hoàng", "hoang", "huỳnh", "huynh",
    "phan", "vũ", "vu", "võ", "vo", "đặng", "dang", "bùi", "bui", "đỗ", "hồ", "ngô", "ngo",
    "dương", "duong", "lý", "trương", "truong", "đinh", "dinh", "trịnh", "trinh", "lương",
    "luong", "đoàn", "doan", "vương", "vuong",
    /* Nigeria, Ghana, Kenya, Ethiopia */
    "okafor", "okonkwo", "okeke", "eze", "nwosu", "nwachukwu", "chukwu", "okoro", "obi",
    "onyeka", "adeyemi", "adebayo", "ogunleye", "oladipo", "olawale", "afolabi", "babatunde",
    "balogun", "akinola", "adewale", "ogundipe", "olaniyan", "adeleke", "ojo", "bello",
    "abubakar", "musa", "suleiman", "danjuma", "aliyu", "lawal", "usman", "garba", "ibekwe",
    "igwe", "okoye", "onuoha", "anyanwu", "nwankwo", "adekunle", "ige", "oyelaran",
    "mensah", "owusu", "boateng", "asante", "osei", "kamau", "otieno", "odhiambo", "mwangi",
    "wanjiku", "kiprop", "tesfaye", "bekele", "haile", "girma",
    /* India, Pakistan, Bangladesh, Sri Lanka */
    "sharma", "verma", "gupta", "singh", "kumar", "patel", "reddy", "rao", "nair", "iyer",
    "iyengar", "menon", "pillai", "banerjee", "chatterjee", "mukherjee", "bhattacharya",
    "ghosh", "mehta", "joshi", "desai", "kulkarni", "jain", "agarwal", "aggarwal", "malhotra",
    "kapoor", "khanna", "chopra", "bhat", "naidu", "chowdhury", "choudhury", "mishra",
    "pandey", "tiwari", "yadav", "saxena", "srivastava", "dubey", "trivedi", "chauhan",
    "thakur", "sandhu", "sethi", "arora", "krishnan", "subramanian", "ramachandran",
    "venkatesh", "natarajan", "prasad", "sinha", "dutta", "mondal", "hossain", "rahman",
    "akter", "perera", "silva",
    /* The Arab world, Iran, Pakistan's and Afghanistan's Muslim names */
    "haddad", "khoury", "mansour", "nasser", "hamdan", "saleh", "aziz", "hussein",
    "hussain", "hassan", "abdullah", "ibrahim", "mahmoud", "mustafa", "khalil", "farouk",
    "othman", "qureshi", "siddiqui", "khan", "malik", "sheikh", "chaudhry", "najjar",
    "hamid", "karimi", "hosseini", "mohammadi", "rezaei", "ahmadi", "jafari", "moradi",
    "rahimi", "sadeghi", "abbasi", "amini", "haidari", "nazari", "mahmoudi", "salehi",
    "el-sayed", "elsayed", "abdelrahman", "abdel", "darwish", "barakat", "saad", "youssef",
    "ahmed", "mohamed", "omar", NULL};

/* w[0..n) ends with suf (ASCII, case ignored). */
static bool ends(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	if (k >= n)
		return false;
	for (size_t i = 0; i < k; i++)
		if (magi__lower((uc)w[n - k + i]) != (uc)suf[i])
			return false;
	return true;
}

/* Letters (UTF-8 sequences count one) in w[0..n). */
static size_t letters(const char *w, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((uc)w[i] & 0xC0) != 0x80;
	return c;
}

static const char *const endings[] = {
    "ov",    "ova",	 "ev",	   "eva",    "enko",  "ski",   "ska",	  "sky",   "skaya",
    "wicz",  "czyk",	 "ović",   "ovic",   "ević",  "evic",  "shvili", "dze",   "yan",
    "escu",  "poulos", "opoulou", "akis",  "idis",  "oğlu",  "oglu",   "sson",  "ssen",
    "sen",   NULL};

/* Words with those endings that are places or ordinary words. */
static const char *const not_endings[] = {"geneva", "moldova", "casanova", "villanova",
					  "terranova", "chosen", "unseen", "dozen", NULL};

bool magi__pii_family_name(const char *w, size_t n)
{
	if (!magi__pii_given_names || n == 0)
		return false;
	/* (the list compares ASCII without case: "ZHANG" is "zhang") */
	if (magi__pii_in_list(w, n, family_names))
		return true;
	char low[48];
	if (n >= sizeof low)
		return false;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)magi__lower((uc)w[i]);
	/* Al-Rashid, El-Sayed, Abu-Bakr, Bin-Laden, Ben-Ali */
	static const char *const prefixes[] = {"al-", "el-", "abu-", "bin-", "ben-", NULL};
	for (size_t k = 0; prefixes[k]; k++) {
		size_t p = strlen(prefixes[k]);
		if (n > p + 2 && !strncmp(low, prefixes[k], p) && magi__is_upper((uc)w[p]))
			return true;
	}
	if (letters(w, n) < 6 || magi__pii_in_list(w, n, not_endings))
		return false;
	for (size_t k = 0; endings[k]; k++) {
		if (!ends(w, n, endings[k]))
			continue;
		/* Polish -ski/-ska/-sky after a consonant: not "Alaska", "Husky" */
		size_t k0 = n - strlen(endings[k]);
		if (endings[k][0] == 's' && endings[k][1] == 'k' && strchr("aeiouy", magi__lower((uc)w[k0 - 1])))
			continue;
		return true;
	}
	return false;
}
