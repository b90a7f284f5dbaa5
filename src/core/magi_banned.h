/* magi_banned.h — functions that are easy to misuse; calling one is a compile error.
 * Included last by src/core/common.h, after system headers, so declarations are untouched. */
#ifndef MAGI_BANNED_H
#define MAGI_BANNED_H
#define MAGI__BANNED(func) sorry_##func##_is_banned_in_magi
#undef strcpy
#define strcpy(x, y) MAGI__BANNED(strcpy)
#undef strcat
#define strcat(x, y) MAGI__BANNED(strcat)
#undef sprintf
#define sprintf(...) MAGI__BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) MAGI__BANNED(vsprintf)
#undef strtok
#define strtok(x, y) MAGI__BANNED(strtok)
#undef atoi
#define atoi(x) MAGI__BANNED(atoi)
#undef gets
#define gets(x) MAGI__BANNED(gets)
#endif
