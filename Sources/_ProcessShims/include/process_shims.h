#ifndef PARLEY_PROCESS_SHIMS_H
#define PARLEY_PROCESS_SHIMS_H
#include <spawn.h>

/// pipe2(fds, O_CLOEXEC): both ends close-on-exec, atomically.
int parley_pipe_cloexec(int fds[2]);
/// posix_spawn_file_actions_addchdir_np (glibc >= 2.29).
int parley_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);
/// posix_spawn_file_actions_addclosefrom_np (glibc >= 2.34): close every fd >= lowfd in the child.
int parley_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowfd);
#endif
