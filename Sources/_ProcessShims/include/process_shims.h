#ifndef PARLEY_PROCESS_SHIMS_H
#define PARLEY_PROCESS_SHIMS_H
#include <spawn.h>
#include <sys/types.h>

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec, atomically.
int parley_pipe_cloexec(int fds[2]);
/// posix_spawn_file_actions_addchdir_np (glibc >= 2.29); ENOSYS where it does not exist (the
/// caller must then fail: ignoring it would start the program in the wrong directory).
int parley_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);
/// posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34): close every fd >= lowfd in the child.
/// Returns ENOSYS where it does not exist (the caller must then not rely on it).
int parley_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowfd);

/// What one child needs before `execve`.
typedef struct {
    /// The executable (no PATH search).
    const char *path;
    /// NULL-terminated argument vector and environment.
    char *const *argv;
    char *const *envp;
    /// Working directory, or NULL to keep the parent's.
    const char *cwd;
    /// The child's ends of its standard streams (become 0, 1, 2).
    int stdin_fd, stdout_fd, stderr_fd;
    /// Signals reset to their default disposition (ignored ones would survive exec).
    const int *default_signals;
    int default_signal_count;
    /// Signal the kernel sends the child when the thread that spawned it ends (0: none).
    int parent_death_signal;
} parley_spawn_request;

/// Which step of starting a child failed.
enum {
    PARLEY_SPAWN_STAGE_FORK = 1,
    PARLEY_SPAWN_STAGE_SETUP = 2,
    PARLEY_SPAWN_STAGE_CHDIR = 3,
    PARLEY_SPAWN_STAGE_EXEC = 4,
};

/// Starts a child with vfork + execve (a failure comes back on a close-on-exec pipe, so it also
/// works where a sanitizer turns vfork into fork), doing only async-signal-safe work in between:
/// signal dispositions and mask reset, its own process group, the parent-death signal (then a
/// check that the parent is still there), the three streams, the working directory, every
/// other descriptor closed. Returns 0 and sets `*pid`, or an errno and sets `*stage`.
///
/// The parent-death signal is tied to the calling *thread*: call this only from a thread that
/// lives as long as the process.
int parley_spawn(const parley_spawn_request *request, pid_t *pid, int *stage);
#endif
