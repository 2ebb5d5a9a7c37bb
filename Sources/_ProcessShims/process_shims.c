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

/// Closes every descriptor >= `low` (async-signal-safe).
static void close_from(int low) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)low, ~0U, 0) == 0) return;
#endif
    struct rlimit limit;
    long max = 65536;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && (long)limit.rlim_cur < max) {
        max = (long)limit.rlim_cur;
    }
    for (long fd = low; fd < max; fd++) close((int)fd);
}

/// Makes `fd` the child's descriptor `target`, inheritable across exec.
static int move_fd(int fd, int target) {
    if (fd == target) return fcntl(fd, F_SETFD, 0) == -1 ? -1 : 0;
    return dup2(fd, target) == -1 ? -1 : 0;
}

/// Runs in the vfork child: shares the parent's memory, so it only makes system calls and
/// reports a failure through `failure` (read by the parent once the child has exec'd or exited).
static void child_exec(const parley_spawn_request *r, pid_t parent, volatile int *failure, volatile int *stage) {
#define FAIL(s) do { *failure = errno; *stage = (s); _exit(127); } while (0)
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
    close_from(3);
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(r->path, r->argv, r->envp);
    FAIL(PARLEY_SPAWN_STAGE_EXEC);
#undef FAIL
}

int parley_spawn(const parley_spawn_request *request, pid_t *pid, int *stage) {
    volatile int failure = 0;
    volatile int failed_stage = 0;
    pid_t parent = getpid();
    // No signal handler may run in the child before it has reset them.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child = vfork();
    if (child == 0) {
        child_exec(request, parent, &failure, &failed_stage);
    }
    int vfork_errno = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (child < 0) {
        *stage = PARLEY_SPAWN_STAGE_FORK;
        return vfork_errno;
    }
    if (failure != 0 || failed_stage != 0) {
        int status;
        while (waitpid(child, &status, 0) == -1 && errno == EINTR) {}
        *stage = failed_stage;
        return failure != 0 ? failure : ECHILD;
    }
    *pid = child;
    return 0;
}
