#ifndef PARLEY_CEDITLINE_SHIM_H
#define PARLEY_CEDITLINE_SHIM_H
// Non-variadic wrappers around libedit (histedit.h) and a few libc pieces that
// Swift cannot call directly (variadic functions, C mutable globals, macros).
// Only the Terminal module's LineEditor uses these.
#include <stdio.h>
#include <string.h>
#include <wchar.h>
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <unistd.h>
#include <termios.h>
#include <sys/ioctl.h>
#include <histedit.h>
#include <errno.h>
#include <spawn.h>
#include <sys/wait.h>

/// wcwidth is only declared by <wchar.h> under _XOPEN_SOURCE.
extern int wcwidth(wchar_t c);

// MARK: - stdio globals

static inline FILE *parley_stdin(void) { return stdin; }
static inline FILE *parley_stdout(void) { return stdout; }
static inline FILE *parley_stderr(void) { return stderr; }
static inline void parley_flush_stdout(void) { fflush(stdout); }

// MARK: - locale and window size

static inline const char *parley_codeset(void) { return nl_langinfo(CODESET); }

/// The column count of the terminal on `fd`, or 0 when unknown.
static inline int parley_window_columns(int fd) {
    struct winsize ws;
    memset(&ws, 0, sizeof ws);
    if (ioctl(fd, TIOCGWINSZ, &ws) != 0) return 0;
    return ws.ws_col;
}

// MARK: - EditLine

static inline EditLine *parley_el_init(const char *program) {
    return el_init(program, stdin, stdout, stderr);
}
static inline int parley_el_set_int(EditLine *el, int op, int value) { return el_set(el, op, value); }
static inline int parley_el_set_editor(EditLine *el, const char *mode) { return el_set(el, EL_EDITOR, mode); }
static inline int parley_el_refresh(EditLine *el) { return el_set(el, EL_REFRESH); }
static inline int parley_el_bind(EditLine *el, const char *keys, const char *command) {
    return el_set(el, EL_BIND, keys, command, (const char *)NULL);
}
/// Binds in vi's command-mode keymap (`bind -a`).
static inline int parley_el_bind_command_mode(EditLine *el, const char *keys, const char *command) {
    return el_set(el, EL_BIND, "-a", keys, command, (const char *)NULL);
}
/// Sets NOFLSH in the mode libedit uses while editing (`setty -d +noflsh`): a Ctrl-C the
/// terminal turns into SIGINT then leaves typed-ahead keys and pending output in the tty.
static inline int parley_el_keep_input_on_interrupt(EditLine *el) {
    return el_set(el, EL_SETTY, "-d", "+noflsh", (const char *)NULL);
}
/// Whether the vi key bindings are in use (`editing_mode`, or `bind -v` in ~/.editrc).
static inline int parley_el_is_vi(EditLine *el) {
    const char *mode = NULL;
    if (el_get(el, EL_EDITOR, &mode) != 0 || mode == NULL) return 0;
    return strcmp(mode, "vi") == 0;
}
typedef unsigned char (*parley_el_command_t)(EditLine *, int);
static inline int parley_el_add_function(EditLine *el, const char *name, const char *help, parley_el_command_t fn) {
    return el_set(el, EL_ADDFN, name, help, fn);
}
typedef char *(*parley_el_prompt_t)(EditLine *);
static inline int parley_el_set_prompt(EditLine *el, parley_el_prompt_t fn, char literalDelimiter) {
    return el_set(el, EL_PROMPT_ESC, fn, (int)literalDelimiter);
}
static inline int parley_el_set_read_function(EditLine *el, el_rfunc_t fn) { return el_set(el, EL_GETCFN, fn); }
static inline int parley_el_set_client_data(EditLine *el, void *data) { return el_set(el, EL_CLIENTDATA, data); }
static inline void *parley_el_client_data(EditLine *el) {
    void *data = NULL;
    el_get(el, EL_CLIENTDATA, &data);
    return data;
}
static inline int parley_el_set_history(EditLine *el, History *h) { return el_set(el, EL_HIST, history, h); }
/// The terminal width libedit lays the edit area out with.
static inline int parley_el_columns(EditLine *el) {
    int columns = 0;
    if (el_get(el, EL_GETTC, "co", &columns, (void *)NULL) != 0) return 0;
    return columns;
}

// MARK: - History

static inline int parley_history_set_size(History *h, int size) {
    HistEvent ev;
    return history(h, &ev, H_SETSIZE, size);
}
static inline int parley_history_set_unique(History *h, int unique) {
    HistEvent ev;
    return history(h, &ev, H_SETUNIQUE, unique);
}
static inline int parley_history_enter(History *h, const char *line) {
    HistEvent ev;
    return history(h, &ev, H_ENTER, line);
}

// MARK: - Signals

/// A saved signal action (Swift cannot name `struct sigaction` next to the function).
typedef struct sigaction parley_signal_action;

/// Installs `handler` for `sig` with SA_RESTART; stores the previous action in `saved` when not NULL.
static inline int parley_signal_catch(int sig, void (*handler)(int), parley_signal_action *saved) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return sigaction(sig, &action, saved);
}
/// Puts back an action saved by `parley_signal_catch`.
static inline int parley_signal_release(int sig, const parley_signal_action *saved) {
    return sigaction(sig, saved, NULL);
}
/// Sets the default disposition for `sig`.
static inline int parley_signal_default(int sig) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    return sigaction(sig, &action, NULL);
}
static inline void parley_signal_unblock(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}
// MARK: - Running a program in the foreground

extern char **environ;

/// Runs `file` (looked up in PATH) with `argv` and the process's environment, no shell, and
/// waits for it. Returns its exit status, 128 + the signal that ended it, or -errno when it
/// could not be started.
static inline int parley_spawn_wait(const char *file, char *const argv[]) {
    pid_t pid;
    int error = posix_spawnp(&pid, file, NULL, NULL, argv, environ);
    if (error != 0) return -error;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -errno;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}
#endif
