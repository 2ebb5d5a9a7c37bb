#define _GNU_SOURCE
#include <fcntl.h>
#include <unistd.h>
#include <spawn.h>
#include <errno.h>
#include <signal.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "process_shims.h"

int parley_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int parley_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 29))
    return posix_spawn_file_actions_addchdir_np(actions, path);
#else
    (void)actions; (void)path;
    return ENOSYS;
#endif
}

int parley_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowfd) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    return posix_spawn_file_actions_addclosefrom_np(actions, lowfd);
#else
    (void)actions; (void)lowfd;
    return ENOSYS;
#endif
}

/// Closes every descriptor in [low, high] (async-signal-safe).
static void close_range_of(int low, int high) {
    if (low > high) return;
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)low, (unsigned)high, 0) == 0) return;
#endif
    struct rlimit limit;
    long max = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && (long)limit.rlim_cur < max) {
        max = (long)limit.rlim_cur;
    }
    if ((long)high >= max) high = (int)(max - 1);
    for (long fd = low; fd <= high; fd++) close((int)fd);
}

/// Makes `fd` the child's descriptor `target`, inheritable across exec.
static int move_fd(int fd, int target) {
    if (fd == target) return fcntl(fd, F_SETFD, 0) == -1 ? -1 : 0;
    return dup2(fd, target) == -1 ? -1 : 0;
}

/// Runs in the child (vfork, or fork where a sanitizer turns vfork into fork): only system
/// calls, and a failure is reported as {stage, errno} on `report` (close-on-exec, so the parent
/// reads end-of-file once exec succeeded).
static void child_exec(const parley_spawn_request *r, pid_t parent, int report) {
#define FAIL(s) do { int message[2] = { (s), errno }; (void)!write(report, message, sizeof message); _exit(127); } while (0)
    // A handler of the parent must never run here (it would run on the parent's memory).
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction current;
        if (sig == SIGKILL || sig == SIGSTOP) continue;
        if (sigaction(sig, NULL, &current) != 0) continue;
        if (current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN) signal(sig, SIG_DFL);
    }
    for (int i = 0; i < r->default_signal_count; i++) signal(r->default_signals[i], SIG_DFL);
    if (setpgid(0, 0) != 0) FAIL(PARLEY_SPAWN_STAGE_SETUP);
    if (r->parent_death_signal != 0) {
        if (prctl(PR_SET_PDEATHSIG, r->parent_death_signal) != 0) FAIL(PARLEY_SPAWN_STAGE_SETUP);
        // The parent may have died before prctl: then nobody would ever send the signal.
        if (getppid() != parent) _exit(127);
    }
    if (move_fd(r->stdin_fd, 0) != 0 || move_fd(r->stdout_fd, 1) != 0 || move_fd(r->stderr_fd, 2) != 0) {
        FAIL(PARLEY_SPAWN_STAGE_SETUP);
    }
    if (r->cwd != NULL && chdir(r->cwd) != 0) FAIL(PARLEY_SPAWN_STAGE_CHDIR);
    close_range_of(3, report - 1);
    close_range_of(report + 1, 0x7fffffff);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(r->path, r->argv, r->envp);
    FAIL(PARLEY_SPAWN_STAGE_EXEC);
#undef FAIL
}

int parley_spawn(const parley_spawn_request *request, pid_t *pid, int *stage) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) {
        *stage = PARLEY_SPAWN_STAGE_FORK;
        return errno;
    }
    pid_t parent = getpid();
    // No signal handler may run in the child before it has reset them.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child = vfork();
    if (child == 0) {
        child_exec(request, parent, report[1]);
    }
    int vfork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    close(report[1]);
    if (child < 0) {
        close(report[0]);
        *stage = PARLEY_SPAWN_STAGE_FORK;
        return vfork_errno;
    }
    int message[2] = { 0, 0 };
    ssize_t got;
    while ((got = read(report[0], message, sizeof message)) < 0 && errno == EINTR) {}
    close(report[0]);
    if (got > 0) {
        int status;
        while (waitpid(child, &status, 0) == -1 && errno == EINTR) {}
        *stage = message[0];
        return message[1] != 0 ? message[1] : ECHILD;
    }
    *pid = child;
    return 0;
}
