// libphonenumber_find.cc — the alternative measured for magi's phone rules: Google's
// libphonenumber (Debian's libphonenumber-dev, the reference implementation of the national
// numbering plans) finding numbers in text. Reads lines on stdin; for each prints the longest
// number its PhoneNumberMatcher finds for any of the regions, or "-", a tab, and the line;
// on stderr the mean time per line. Built and run by bench/phone/compare.sh, never by CMake:
// magi does not use it (docs/guards.md says why).
//   libphonenumber_find LENIENCY [REGIONS...]   LENIENCY: possible|valid|strict|exact
#include <phonenumbers/phonenumbermatch.h>
#include <phonenumbers/phonenumbermatcher.h>
#include <phonenumbers/phonenumberutil.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

using i18n::phonenumbers::PhoneNumberMatch;
using i18n::phonenumbers::PhoneNumberMatcher;
using i18n::phonenumbers::PhoneNumberUtil;

int main(int argc, char **argv)
{
	if (argc < 3) {
		std::cerr << "usage: libphonenumber_find possible|valid|strict|exact REGION...\n";
		return 2;
	}
	PhoneNumberMatcher::Leniency leniency = PhoneNumberMatcher::VALID;
	if (!strcmp(argv[1], "possible"))
		leniency = PhoneNumberMatcher::POSSIBLE;
	else if (!strcmp(argv[1], "strict"))
		leniency = PhoneNumberMatcher::STRICT_GROUPING;
	else if (!strcmp(argv[1], "exact"))
		leniency = PhoneNumberMatcher::EXACT_GROUPING;
	std::vector<std::string> regions(argv + 2, argv + argc);
	const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
	std::string line;
	long lines = 0;
	double ms = 0;
	while (std::getline(std::cin, line)) {
		auto t0 = std::chrono::steady_clock::now();
		std::string best;
		for (const std::string &region : regions) {
			PhoneNumberMatcher m(util, line, region, leniency, 100);
			while (m.HasNext()) {
				PhoneNumberMatch match;
				m.Next(&match);
				if (match.raw_string().size() > best.size())
					best = match.raw_string();
			}
		}
		ms += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
		std::cout << (best.empty() ? "-" : best) << "\t" << line << "\n";
		lines++;
	}
	std::cerr << "libphonenumber: " << lines << " lines, " << (lines ? ms / lines : 0) << " ms per line\n";
	return 0;
}
