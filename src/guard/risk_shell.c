/* risk_shell.c — the risk gate's rules for typed shell text: destructive commands (rm -rf,
 * mkfs, dd of=, fork bombs) deny, privileged and risky ones (sudo, git push --force, curl |
 * sh ...) ask. */
#include <stdio.h>
#include <string.h>
#include "guard/risk_internal.h"

/* ---- shell text ---------------------------------------------------------------------------- */
/* Lowercased copy with runs of blanks squeezed to one space. */
static void squeeze(const char *s, char *buf, size_t cap)
{
	size_t k = 0;
	bool sp = false;
	for (const unsigned char *p = (const unsigned char *)s; *p && k + 1 < cap; p++) {
		if (magi__is_space(*p)) {
			sp = k > 0;
			continue;
		}
		if (sp && k + 2 < cap)
			buf[k++] = ' ';
		sp = false;
		buf[k++] = (char)magi__lower(*p);
	}
	buf[k] = '\0';
}

/* The command word at position i starts a command: line start or after ; & | ( ` $( */
static bool cmd_start(const char *s, size_t i)
{
	while (i > 0 && s[i - 1] == ' ')
		i--;
	if (i == 0)
		return true;
	char c = s[i - 1];
	/* quotes too: python -c "os.system('rm -rf /')" runs what is inside them */
	if (c == ';' || c == '&' || c == '|' || c == '(' || c == '`' || c == '\n' || c == '{' ||
	    c == '\'' || c == '"')
		return true;
	/* sudo rm, xargs rm, env rm, nohup rm */
	static const char *const pre[] = {"sudo", "doas", "xargs", "env", "nohup", "exec", "then",
					  "do", "time", "nice", NULL};
	for (size_t k = 0; pre[k]; k++) {
		size_t l = strlen(pre[k]);
		if (i >= l && !strncmp(s + i - l, pre[k], l) && (i == l || !magi__is_alnum((unsigned char)s[i - l - 1])))
			return true;
	}
	return false;
}

/* Finds command `cmd` at a command position; returns its index or SIZE_MAX. */
static size_t find_cmd(const char *s, const char *cmd, size_t from)
{
	size_t len = strlen(s);
	for (size_t i = magi__find_word(s, len, from, cmd); i != SIZE_MAX;
	     i = magi__find_word(s, len, i + 1, cmd)) {
		/* "rm" inside a path ("/bin/rm") still runs rm */
		size_t b = i;
		while (b > 0 && !strchr(" ;|&(`{\"'", s[b - 1]))
			b--;
		if (cmd_start(s, b) && (b == i || s[i - 1] == '/'))
			return i;
	}
	return SIZE_MAX;
}

/* The arguments of the command at i, up to the next ; | & or newline. */
static void cmd_args(const char *s, size_t i, char *buf, size_t cap)
{
	size_t e = i;
	while (s[e] && s[e] != ';' && s[e] != '|' && s[e] != '&' && s[e] != '\n')
		e++;
	magi__text_copy(buf, cap, s + i, e - i);
}

static bool rm_recursive_force(const char *args)
{
	bool r = false, f = false;
	for (const char *p = args; *p; p++) {
		if (*p != '-' || (p > args && p[-1] != ' '))
			continue;
		if (p[1] == '-') {
			r |= !strncmp(p, "--recursive", 11);
			f |= !strncmp(p, "--force", 7);
			continue;
		}
		for (const char *q = p + 1; *q && *q != ' '; q++) {
			r |= *q == 'r';
			f |= *q == 'f';
		}
	}
	return r && f;
}

static bool has_flag(const char *args, char flag, const char *longflag)
{
	for (const char *p = args; *p; p++) {
		if (*p != '-' || (p > args && p[-1] != ' '))
			continue;
		if (p[1] == '-') {
			if (longflag && !strncmp(p, longflag, strlen(longflag)))
				return true;
			continue;
		}
		for (const char *q = p + 1; *q && *q != ' '; q++)
			if (*q == flag)
				return true;
	}
	return false;
}

/* Pipe into a shell or interpreter: "curl ... | sh", "wget -qO- ... | sudo bash" */
static bool pipe_to_shell(const char *s)
{
	static const char *const shells[] = {"sh", "bash", "zsh", "dash", "ksh", "fish", "python",
					     "python3", "perl", "ruby", "node", NULL};
	for (const char *p = strchr(s, '|'); p; p = strchr(p + 1, '|')) {
		if (p[1] == '|')
			continue;
		const char *q = p + 1;
		while (*q == ' ')
			q++;
		if (!strncmp(q, "sudo ", 5))
			q += 5;
		while (*q == ' ')
			q++;
		for (size_t k = 0; shells[k]; k++) {
			size_t l = strlen(shells[k]);
			if (!strncmp(q, shells[k], l) && !magi__is_alnum((unsigned char)q[l]))
				return true;
		}
	}
	return false;
}

void magi__risk_rule_shell(struct magi__gate *g, const char *text, const char *shown)
{
	char s[2048];
	squeeze(text, s, sizeof s);
	char args[512];
	size_t i;
	/* destructive: deny by default */
	if ((i = find_cmd(s, "rm", 0)) != SIZE_MAX) {
		cmd_args(s, i, args, sizeof args);
		if (rm_recursive_force(args))
			magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE,
			     "typing '%s' is destructive shell text (recursive forced delete)", shown);
		else
			magi__risk_fire(g, MAGI_RISK_CAT_SHELL, "typing '%s' deletes files (rm)", shown);
	}
	if (magi__find_word(s, strlen(s), 0, "mkfs") != SIZE_MAX || strstr(s, "mkfs."))
		magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE, "typing '%s' is destructive shell text (formats a disk)",
		     shown);
	if ((i = find_cmd(s, "dd", 0)) != SIZE_MAX) {
		cmd_args(s, i, args, sizeof args);
		if (strstr(args, "of="))
			magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE,
			     "typing '%s' is destructive shell text (dd writes raw data)", shown);
	}
	if ((i = find_cmd(s, "chmod", 0)) != SIZE_MAX) {
		cmd_args(s, i, args, sizeof args);
		if (strstr(args, "777") || strstr(args, "a+rwx") || strstr(args, "o+w"))
			magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE,
			     "typing '%s' is destructive shell text (opens permissions to everyone)",
			     shown);
		else if (has_flag(args, 'r', "--recursive") || has_flag(args, 'R', NULL))
			magi__risk_fire(g, MAGI_RISK_CAT_SHELL, "typing '%s' changes permissions recursively", shown);
	}
	if ((find_cmd(s, "curl", 0) != SIZE_MAX || find_cmd(s, "wget", 0) != SIZE_MAX) &&
	    (pipe_to_shell(s) || strstr(s, "<(curl") || strstr(s, "<(wget")))
		magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE,
		     "typing '%s' is destructive shell text (runs a downloaded script)", shown);
	else if (strstr(s, "base64 -d") && pipe_to_shell(s))
		magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE,
		     "typing '%s' is destructive shell text (runs hidden code)", shown);
	{
		/* fork bomb: ":(){ :|:& };:" and renamed variants "f(){ f|f& };f" */
		char nos[2048];
		size_t k = 0;
		for (const char *p = s; *p && k + 1 < sizeof nos; p++)
			if (*p != ' ')
				nos[k++] = *p;
		nos[k] = '\0';
		const char *b = strstr(nos, "(){");
		if (b && strchr(b, '|') && strchr(b, '&') && strstr(b, "};"))
			magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE, "typing '%s' is destructive shell text (fork bomb)",
			     shown);
	}
	static const char *const devs[] = {"/dev/sd", "/dev/hd", "/dev/nvme", "/dev/vd", "/dev/mmcblk",
					   "/dev/xvd", "/dev/disk", NULL};
	for (size_t k = 0; devs[k]; k++) {
		const char *p = strstr(s, devs[k]);
		if (!p)
			continue;
		const char *q = p;
		while (q > s && q[-1] == ' ')
			q--;
		if ((q > s && q[-1] == '>') || (p - s >= 3 && !strncmp(p - 3, "of=", 3)))
			magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE,
			     "typing '%s' is destructive shell text (overwrites a disk device)", shown);
	}
	static const char *const power[] = {"shutdown", "reboot", "halt", "poweroff", NULL};
	for (size_t k = 0; power[k]; k++)
		if (find_cmd(s, power[k], 0) != SIZE_MAX)
			magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE, "typing '%s' shuts the machine down (%s)", shown,
			     power[k]);
	if (strstr(s, "systemctl poweroff") || strstr(s, "systemctl reboot") ||
	    strstr(s, "systemctl halt") || (find_cmd(s, "init", 0) != SIZE_MAX &&
					     (strstr(s, "init 0") || strstr(s, "init 6"))))
		magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE, "typing '%s' shuts the machine down", shown);
	if (strstr(s, "drop table") || strstr(s, "drop database") || strstr(s, "drop schema") ||
	    strstr(s, "truncate table"))
		magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE, "typing '%s' destroys database tables", shown);
	if (strstr(s, "format c:") || ((strstr(s, "del ") || strstr(s, "rd ") || strstr(s, "rmdir ")) &&
				       strstr(s, "/s") && strstr(s, "/q")) ||
	    (strstr(s, "remove-item") && strstr(s, "-recurse") && strstr(s, "-force")))
		magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE, "typing '%s' is destructive shell text (Windows)", shown);
	if ((strstr(s, "/dev/tcp/") && strstr(s, "bash -i")) ||
	    ((i = find_cmd(s, "nc", 0)) != SIZE_MAX && strstr(s + i, " -e")))
		magi__risk_fire(g, MAGI_RISK_CAT_DESTRUCTIVE, "typing '%s' opens a reverse shell", shown);
	/* privilege */
	static const char *const priv[] = {"sudo", "doas", "pkexec", NULL};
	for (size_t k = 0; priv[k]; k++)
		if (find_cmd(s, priv[k], 0) != SIZE_MAX)
			magi__risk_fire(g, MAGI_RISK_CAT_PRIVILEGE, "typing '%s' runs a command as root (%s)", shown,
			     priv[k]);
	if ((i = find_cmd(s, "su", 0)) != SIZE_MAX)
		magi__risk_fire(g, MAGI_RISK_CAT_PRIVILEGE, "typing '%s' switches user (su)", shown);
	/* risky but common: ask */
	static const struct {
		const char *cmd, *needle, *why;
	} risky[] = {
		{"git", "push --force", "force-pushes"},  {"git", "push -f", "force-pushes"},
		{"git", "reset --hard", "discards work"}, {"git", "clean -f", "deletes untracked files"},
		{"kill", "-9", "kills processes"},        {"killall", "", "kills processes"},
		{"pkill", "", "kills processes"},         {"shred", "", "destroys files"},
		{"crontab", "-r", "deletes the crontab"}, {"iptables", "-f", "flushes the firewall"},
		{"pip", "install", "installs packages"}, {"pip3", "install", "installs packages"},
		{"npm", "install", "installs packages"},  {"apt", "install", "installs packages"},
		{"apt-get", "install", "installs packages"}, {"chown", "-r", "changes owners recursively"},
		{"mv", "/dev/null", "destroys files"},    {"truncate", "-s", "truncates files"},
		{"userdel", "", "deletes a user"},        {"passwd", "", "changes a password"},
	};
	for (size_t k = 0; k < MAGI_ARRAY_LEN(risky); k++)
		if ((i = find_cmd(s, risky[k].cmd, 0)) != SIZE_MAX) {
			cmd_args(s, i, args, sizeof args);
			if (!risky[k].needle[0] || strstr(args, risky[k].needle))
				magi__risk_fire(g, MAGI_RISK_CAT_SHELL, "typing '%s' %s", shown, risky[k].why);
		}
	if (strstr(s, "delete from") && !strstr(s, " where "))
		magi__risk_fire(g, MAGI_RISK_CAT_SHELL, "typing '%s' deletes every row of a table", shown);
}
